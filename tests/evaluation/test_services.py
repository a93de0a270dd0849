"""The panel the page reads and the figures computed from it."""

from __future__ import annotations

import pytest

from shidian.apps.evaluation import analysis, selectors
from shidian.apps.evaluation.selectors import ROUND, YEAR, Outcome
from tests.evaluation.world import EFFECT, YEARS


def table_for(world, key="total", period=YEAR):
    rounds = selectors.programme_rounds(user=world.office, programme=world.programme)
    outcomes = {o.key: o for o in selectors.outcome_choices(rounds)}
    return selectors.panel_table(
        user=world.office,
        programme=world.programme,
        outcome=outcomes.get(key, Outcome(key, key)),
        period_mode=period,
        rounds=rounds,
    )


def test_panel_has_pilots_with_cohorts_and_both_kinds_of_controls(world):
    table = table_for(world)
    frame = table.frame
    assert list(frame.columns) == selectors.PANEL_COLUMNS
    assert table.pilots == 6 and table.controls == 6  # 2 in state "control", 4 matched pairs
    assert len(frame) == 12 * len(YEARS) and table.missing_cells == 0
    by_unit = frame.groupby("unit").first()
    assert by_unit.loc["A1-1", "cohort"] == 2026 and by_unit.loc["A1-5", "cohort"] == 2027
    assert by_unit.loc["A1-9", "group"] == "control" and by_unit.loc["A1-9", "treated"] == 0
    assert by_unit.loc["A1-7", "group"] == "control"
    assert [(n, c) for n, c, _y in table.batches] == [(1, 2026), (2, 2027)]


def test_round_periods_map_cohorts_to_the_first_round_of_the_entry_year(world):
    table = table_for(world, period=ROUND)
    by_unit = table.frame.groupby("unit").first()
    assert sorted(table.frame["period"].unique()) == [1, 2, 3, 4]
    assert by_unit.loc["A1-1", "cohort"] == 3 and by_unit.loc["A1-5", "cohort"] == 4
    assert table.frame["period_label"].iloc[0].endswith("年度自查赋分")


def test_outcomes_offer_total_dimensions_and_indicators(world):
    rounds = selectors.programme_rounds(user=world.office, programme=world.programme)
    keys = [o.key for o in selectors.outcome_choices(rounds)]
    assert keys[0] == "total" and "dim:D1" in keys and "ind:D1.1" in keys


def test_estimates_recover_the_effect_side_by_side(world):
    table = table_for(world)
    ev = analysis.evaluate(table)
    assert ev.refusal is None
    keys = [r.key for r in ev.estimates]
    assert keys == ["twfe", "cs_simple", "cs_group", "cs_dynamic"]  # staggered: no overall 2x2
    max_total = table.frame["outcome"].max() / 0.9  # about the standard's maximum
    for row in ev.estimates:
        assert row.ci_low < row.estimate < row.ci_high and row.se > 0
        assert row.units == 12 and row.periods == 4 and row.clusters == 12
        assert abs(row.estimate - EFFECT * 100) < 0.3 * max_total
    assert [b["number"] for b in ev.batches] == [1, 2] and all("row" in b for b in ev.batches)
    assert [r.label for r in ev.cohorts] == ["2026", "2027"]
    assert {r["rel"] for r in ev.dynamic} >= {-3, -2, -1, 0, 1}
    assert ev.chart["twfe"] and ev.chart["cs"]
    assert ev.sensitivity is not None and ev.sensitivity["significant"]
    assert ev.meaning and "平行趋势" in ev.meaning[0]


def test_indicator_outcome_uses_weighted_item_scores(world):
    table = table_for(world, "ind:D1.1")
    assert table.frame["outcome"].nunique() > 1
    assert analysis.evaluate(table).refusal is None


def test_a_batch_entering_after_the_last_period_is_never_treated_with_a_notice(world):
    world.programme.cycles.filter(number=2).update(year=2030)
    table = table_for(world)
    assert table.late_batches == [2]
    ev = analysis.evaluate(table)
    assert ev.refusal is None
    assert any("最后一个时期之后" in n for n in ev.notes)
    assert ev.result.n_never_treated == 8  # six controls and the two late pilots


@pytest.mark.parametrize(
    "change, code",
    [
        ("constant", "did_constant_outcome"),
        ("one_period", "did_one_period"),
        ("no_pre_period", "did_no_pre_period"),
        ("no_controls", "eval_no_controls"),
        ("no_pilots", "eval_no_pilots"),
        ("no_rounds", "eval_no_rounds"),
    ],
)
def test_refusals_say_why_in_words_by_code(world, change, code):
    from shidian.apps.programmes.models import Participation
    from shidian.apps.selection.models import ControlPair
    from shidian.apps.submissions.models import Round

    parts = Participation.objects.filter(programme=world.programme)  # scoping: ok test
    rounds = Round.objects.filter(programme=world.programme)  # scoping: ok test
    key = "total"
    if change == "constant":
        key = "ind:D6.2"  # the veto indicator: every item's maximum is 0
    elif change == "one_period":
        rounds.exclude(pk=world.rounds[0].pk).update(programme=None)
    elif change == "no_pre_period":
        world.programme.cycles.filter(number=1).update(year=2020)
        parts.filter(unit__in=world.batch2).update(batch=world.programme.cycles.get(number=1))
    elif change == "no_controls":
        parts.filter(state="control").update(state="eligible")
        ControlPair.objects.filter(selection__programme=world.programme).delete()  # scoping: ok
    elif change == "no_pilots":
        parts.exclude(state__in=["control", "eligible"]).update(state="eligible", batch=None)
    elif change == "no_rounds":
        rounds.update(programme=None)
    ev = analysis.evaluate(table_for(world, key))
    assert ev.refusal_code == code
    assert ev.refusal and "nan" not in ev.refusal.lower() and "Traceback" not in ev.refusal
    assert ev.estimates == [] and ev.chart is None


def test_refusal_sentences_cover_every_did_code():
    import re
    from pathlib import Path

    from shidian.apps.evaluation.messages import REFUSALS

    src = Path(analysis.__file__).parents[2] / "engine" / "did"
    codes = set()
    for path in src.glob("*.py"):
        codes |= set(re.findall(r'code="(did_[a-z_]+)"', path.read_text()))
    assert codes and codes <= set(REFUSALS)
