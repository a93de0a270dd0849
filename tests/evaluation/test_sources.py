"""Outcomes beside the sheets: periodic report values, mid-term and acceptance reviewed scores —
the panel's values, the estimates, the refusals that say why, and what each user may see."""

from __future__ import annotations

import pytest

from shidian.apps.evaluation import analysis, selectors
from shidian.apps.evaluation.forms import EvaluationForm
from shidian.apps.evaluation.selectors import ROUND, YEAR, Outcome
from tests.conftest import make_user
from tests.evaluation.world import acceptance_round, midterm_round, report_form, report_level


def table_for(world, key, period=YEAR, user=None):
    user = user or world.office
    rounds = selectors.programme_rounds(user=user, programme=world.programme)
    outcomes = {
        o.key: o for o in selectors.outcome_choices(rounds, user=user, programme=world.programme)
    }
    return selectors.panel_table(
        user=user,
        programme=world.programme,
        outcome=outcomes.get(key, Outcome(key, key)),
        period_mode=period,
        rounds=rounds,
    )


def cell(table, code, period):
    frame = table.frame
    found = frame[(frame["unit"] == code) & (frame["period"] == period)]["outcome"]
    return None if found.empty else float(found.iloc[0])


def other_zone_control(tree, world):
    """A control school in a second zone of the county (a zone office of A1 does not see it)."""
    from shidian.apps.orgs.models import Level, SchoolType
    from shidian.apps.orgs.services import unit_create
    from shidian.apps.programmes.models import Participation

    zone = unit_create(code="A2", name="甲县西片区", level=Level.ZONE, parent=tree.county)
    school = unit_create(
        code="A2-1", name="甲县西片小学", level=Level.SCHOOL, parent=zone, zone=zone,
        school_type=SchoolType.PRIMARY,
    )  # fmt: skip
    Participation.objects.create(programme=world.programme, unit=school, state="control")
    return school


# --- the chooser ---------------------------------------------------------------------------


def test_chooser_groups_the_sources_and_offers_numeric_report_fields(world):
    _form, f, _p = report_form(world)
    rounds = selectors.programme_rounds(user=world.office, programme=world.programme)
    outcomes = selectors.outcome_choices(rounds, user=world.office, programme=world.programme)
    keys = [o.key for o in outcomes]
    assert f"rep:{f['hours'].pk}" in keys and f"rep:{f['rate'].pk}" in keys
    assert f"rep:{f['note'].pk}" not in keys  # a text field is no outcome
    assert keys[-2:] == ["mid:total", "acc:total"]
    labels = {o.key: o.label for o in outcomes}
    assert labels[f"rep:{f['hours'].pk}"] == "学期报表 › 信息化课时（节）"
    form = EvaluationForm({}, outcomes=outcomes)
    groups = [g for g, _opts in form.fields["outcome"].choices]
    assert groups == ["自查赋分", "周期报表（数值字段）", "中期初评评分", "验收评分"]
    html = str(form["outcome"])
    assert '<optgroup label="周期报表（数值字段）">' in html


# --- periodic reports ----------------------------------------------------------------------


def test_report_year_value_is_the_mean_of_the_submitted_values(world):
    _form, f, _p = report_form(world)
    table = table_for(world, f"rep:{f['hours'].pk}")
    assert table.source == "reports" and table.rounds == 8  # report periods
    assert "平均值" in table.rule
    assert len(table.frame) == 12 * 4 and table.missing_cells == 0
    # A1-3 (3rd unit, batch 1): the mean of its two semesters
    want = (report_level(2, 2025, 0, False, 6.0) + report_level(2, 2025, 1, False, 6.0)) / 2
    assert cell(table, "A1-3", 2025) == pytest.approx(want)
    # A1-1's first report was returned: its 999 does not count, the second semester stands
    assert cell(table, "A1-1", 2024) == pytest.approx(report_level(0, 2024, 1, False, 6.0))
    # A1-2 answered "not applicable" in the second semester: the first stands alone
    assert cell(table, "A1-2", 2024) == pytest.approx(report_level(1, 2024, 0, False, 6.0))
    assert table.frame["outcome"].max() < 100


def test_report_values_give_every_estimate_and_recover_the_effect(world):
    _form, f, _p = report_form(world, effect=6.0)
    ev = analysis.evaluate(table_for(world, f"rep:{f['hours'].pk}"))
    assert ev.refusal is None
    assert [r.key for r in ev.estimates] == ["twfe", "cs_simple", "cs_group", "cs_dynamic"]
    for row in ev.estimates:
        assert row.estimate == pytest.approx(6.0, abs=0.6) and row.se > 0
    assert [b["number"] for b in ev.batches] == [1, 2] and all("row" in b for b in ev.batches)
    assert ev.dynamic and ev.chart and ev.sensitivity is not None


def test_report_periods_by_round_map_cohorts_to_the_first_period_of_the_entry_year(world):
    _form, f, _p = report_form(world)
    table = table_for(world, f"rep:{f['hours'].pk}", period=ROUND)
    assert sorted(table.frame["period"].unique()) == list(range(1, 9))
    by_unit = table.frame.groupby("unit").first()
    assert by_unit.loc["A1-1", "cohort"] == 5 and by_unit.loc["A1-5", "cohort"] == 7
    assert cell(table, "A1-3", 3) == pytest.approx(report_level(2, 2025, 0, False, 6.0))
    assert analysis.evaluate(table).refusal is None


def test_report_refusals_are_worded_for_reports(world):
    from shidian.apps.programmes.models import Participation

    parts = Participation.objects.filter(programme=world.programme)  # scoping: ok test
    parts.filter(unit__in=world.batch2).update(batch=world.programme.cycles.get(number=1))
    _form, f, _p = report_form(world, years=(2026, 2027))  # reports start with the programme
    ev = analysis.evaluate(table_for(world, f"rep:{f['hours'].pk}"))
    assert ev.refusal_code == "did_no_pre_period"
    assert "报表数据" in ev.refusal and "自查得分。" not in ev.refusal
    assert ev.estimates == [] and ev.chart is None


def test_a_form_without_periods_and_a_field_without_values_refuse(world):
    from shidian.apps.reports.models import ReportField, ReportForm

    form, f, periods = report_form(world, years=(2025,), units=[])
    assert analysis.evaluate(table_for(world, f"rep:{f['hours'].pk}")).refusal_code == (
        "eval_no_data"
    )
    assert "报表字段" in analysis.evaluate(table_for(world, f"rep:{f['hours'].pk}")).refusal
    empty = ReportForm.objects.create(
        programme=world.programme, name="空表", period_type="monthly", status="published",
        starts_on=form.starts_on, ends_on=form.ends_on,
    )  # fmt: skip
    field = ReportField.objects.create(form=empty, code="n", label="数", type="number")
    ev = analysis.evaluate(table_for(world, f"rep:{field.pk}"))
    assert ev.refusal_code == "eval_no_report_periods" and "报送期" in ev.refusal


def programme_grant(world, tree, username, *, unit=None):
    """A leading-group member from another county with a grant on the programme (narrowed to
    ``unit``'s subtree or not): they may open the page."""
    from shidian.apps.core.models import Grant

    user = make_user(username, tree.other_county, "teacher")
    Grant.objects.create(
        user=user, role="leading_group_member", target_type="programmes.programme",
        target_id=world.programme.pk, unit=unit, owner_unit=tree.county,
    )  # fmt: skip
    return user


def test_report_values_outside_the_users_scope_never_enter_the_panel(world, tree, client):
    far = other_zone_control(tree, world)
    _form, f, _p = report_form(world, units=[*world.pilots, *world.controls, far])
    key = f"rep:{f['hours'].pk}"
    county = table_for(world, key)
    assert "A2-1" in set(county.frame["unit"]) and county.controls == 7
    assert len(county.frame) == 13 * 4
    narrowed = programme_grant(world, tree, "ev-lg-zone", unit=tree.zone)
    client.force_login(narrowed)
    page = client.get(f"/evaluation/programmes/{world.programme.pk}/", {"outcome": key})
    assert page.status_code == 200
    table = page.context["table"]
    assert "A2-1" not in set(table.frame["unit"])
    assert set(table.frame["unit"]) <= {u.code for u in [*world.pilots, *world.controls]}
    assert page.context["ev"].refusal  # a sentence, not a traceback


# --- mid-term reviewed scores ---------------------------------------------------------------


def test_midterm_scores_of_pilots_after_entry_refuse_with_the_reason(world, tree):
    batch1 = world.pilots[:4]
    midterm_round(world, tree, year=2027, units=batch1, score=lambda u: 70.0)
    table = table_for(world, "mid:total")
    assert table.source == "midterm" and set(table.frame["treated"]) == {1}
    assert cell(table, "A1-1", 2027) == pytest.approx(70.0)  # the mean of the two reviews
    ev = analysis.evaluate(table)
    assert ev.refusal_code == "eval_midterm_no_comparison"
    assert "中期初评" in ev.refusal and "对照学校" in ev.refusal
    assert ev.estimates == [] and ev.chart is None


def test_unreleased_expert_scores_do_not_count(world, tree):
    midterm_round(world, tree, year=2027, units=world.pilots, score=lambda u: 70.0, released=False)
    ev = analysis.evaluate(table_for(world, "mid:total"))
    assert ev.refusal_code == "eval_no_midterm" and "尚未公布" in ev.refusal


def midterm_history(world, tree, effect=8.0):
    """Mid-term rounds 2025-2027 that scored every unit (pilots and controls)."""
    units = [*world.pilots, *world.controls]
    index = {u.pk: i for i, u in enumerate(units)}
    entry = {u.pk: (2027 if u in world.batch2 else 2026) for u in world.pilots}

    def score(year):
        def of(u):
            i = index[u.pk]
            gain = effect if u.pk in entry and year >= entry[u.pk] else 0.0
            return 60.0 + 3 * (i % 4) + 2.0 * (year - 2025) + 0.5 * ((i * 7 + year) % 3) + gain

        return of

    for year in (2025, 2026, 2027):
        midterm_round(world, tree, year=year, units=units, score=score(year))


def test_midterm_scores_of_every_unit_give_the_estimates(world, tree):
    midterm_history(world, tree, effect=8.0)
    table = table_for(world, "mid:total")
    assert table.rounds == 3 and len(table.frame) == 12 * 3
    ev = analysis.evaluate(table)
    assert ev.refusal is None
    for row in ev.estimates:
        assert row.estimate == pytest.approx(8.0, abs=0.8)


# --- acceptance reviewed scores -------------------------------------------------------------


def test_acceptance_scores_are_a_cross_section_not_a_did(world, tree, client):
    batch1 = world.pilots[:4]
    scores = {u.pk: 70.0 + 2 * i for i, u in enumerate(batch1)}
    acceptance_round(world, tree, year=2028, units=batch1, score=lambda u: scores[u.pk])
    table = table_for(world, "acc:total")
    assert table.source == "acceptance" and set(table.frame["treated"]) == {1}
    assert sorted(table.frame["outcome"]) == [70.0, 72.0, 74.0, 76.0]
    ev = analysis.evaluate(table)
    assert ev.refusal_code == "eval_acceptance_cross_section"
    assert "横向比较" in ev.refusal and "对照学校" in ev.refusal
    assert ev.estimates == [] and ev.chart is None
    first, overall = ev.cross_section
    assert first["number"] == 1 and first["n"] == 4 and first["mean_value"] == pytest.approx(73)
    assert first["min"] == "70" and first["max"] == "76" and overall["number"] is None
    client.force_login(world.office)
    page = client.get(f"/evaluation/programmes/{world.programme.pk}/", {"outcome": "acc:total"})
    html = page.content.decode()
    assert 'id="refusal"' in html and 'id="cross-section-table"' in html
    assert 'id="estimates-table"' not in html and "NaN" not in html


def test_no_acceptance_round_refuses(world):
    ev = analysis.evaluate(table_for(world, "acc:total"))
    assert ev.refusal_code == "eval_no_acceptance" and ev.cross_section == []


def test_blind_acceptance_reviews_stay_out_until_released(world, tree):
    """The office running the round sees every review; a leading-group member only once the
    reviews are released (blind review is Review's policy)."""
    from django.utils import timezone

    acc = acceptance_round(world, tree, year=2028, units=world.pilots[:4], score=lambda u: 80.0)
    member = programme_grant(world, tree, "ev-lg")
    assert len(table_for(world, "acc:total").frame) == 4
    blind = table_for(world, "acc:total", user=member)
    assert blind.pilots == 6 and blind.rounds == 1 and blind.frame.empty
    ev = analysis.evaluate(blind)
    assert ev.refusal_code == "eval_no_data" and "验收" in ev.refusal
    acc.round.reviews_released_at = timezone.now()
    acc.round.save(update_fields=["reviews_released_at"])
    seen = table_for(world, "acc:total", user=member)
    assert sorted(seen.frame["outcome"]) == [80.0] * 4


def test_acceptance_score_drafts_never_enter_the_panel(world, tree):
    """An expert's partial draft (acceptance scoring) is not a score until submitted."""
    from shidian.apps.reviews.models import Review

    acc = acceptance_round(world, tree, year=2028, units=world.pilots[:4], score=lambda u: 80.0)
    first = Review.objects.filter(submission__round=acc.round).order_by("pk").first()  # scoping: ok
    Review.objects.filter(pk=first.pk).update(total=10.0, draft=True)  # scoping: ok test set-up
    others = Review.objects.filter(submission=first.submission).exclude(pk=first.pk)  # scoping: ok
    frame = table_for(world, "acc:total").frame.set_index("unit")
    # The other expert's total alone; the draft's 10 would have pulled the mean down to ~45.
    assert frame.loc[first.submission.unit.code, "outcome"] == float(others.get().total)
    assert len(frame) == 4 and frame["outcome"].min() > 70
