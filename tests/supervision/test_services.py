"""League tables: compute, publish, the 督办 cases and the bottom_units contract."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shidian.apps.supervision.models import (
    LeagueRow,
    LeagueTable,
    SupervisionCase,
    SupervisionEvent,
)
from shidian.apps.supervision.selectors import bottom_units
from shidian.apps.supervision.services import league_compute, league_publish
from tests.conftest import make_user

RATES = [0.9, 0.8, 0.7, 0.6, 0.3, 0.2]  # pilots A1-1 .. A1-6; the last two are behind (0.5)


def compute(world, month, **kw):
    return league_compute(
        programme=world.programme, cycle=world.batch1, month=month, by=world.office, **kw
    )


def test_compute_ranks_grades_and_components(world, fake_inputs):
    fake_inputs.month("2026-05", world.pilots, rates=RATES)
    table = compute(world, "2026-05")
    rows = {r.unit.code: r for r in table.rows.select_related("unit")}
    assert len(rows) == 6
    assert [rows[c].rank for c in ("A1-1", "A1-2", "A1-5", "A1-6")] == [1, 2, 5, 6]
    # 0.5*0.9 + 0.3*1 + 0.2*0.9 = 0.93
    assert rows["A1-1"].score == pytest.approx(93.0)
    assert rows["A1-1"].grade == "A"
    assert rows["A1-6"].grade == "D"
    assert rows["A1-6"].behind and not rows["A1-4"].behind
    assert {c for c, r in rows.items() if r.bottom} == {"A1-4", "A1-5", "A1-6"}  # bottom 3
    assert ("plans", __import__("datetime").date(2026, 5, 31)) in fake_inputs.calls
    assert table.weights["weights"]["plan_rate"] == 0.5


def test_missing_component_scores_from_the_rest(world, fake_inputs):
    fake_inputs.month("2026-05", world.pilots, rates=[0.9, None, 0.7, 0.6, 0.3, 0.2])
    fake_inputs.reports["2026-05"].pop(world.pilots[2].pk)
    table = compute(world, "2026-05")
    no_plan = table.rows.get(unit=world.pilots[1])
    assert no_plan.plan_rate is None and no_plan.missing == ["plan_rate", "goal_progress"]
    assert no_plan.score == pytest.approx(100.0)  # only timeliness, 1 of 1 on time
    no_report = table.rows.get(unit=world.pilots[2])
    assert no_report.missing == ["timeliness"]
    assert no_report.score == pytest.approx(70.0)


def test_recompute_replaces_a_draft_and_a_published_table_is_frozen(world, fake_inputs):
    fake_inputs.month("2026-05", world.pilots, rates=RATES)
    first = compute(world, "2026-05")
    fake_inputs.month("2026-05", world.pilots, rates=list(reversed(RATES)))
    again = compute(world, "2026-05")
    assert again.pk == first.pk
    assert again.rows.get(unit=world.pilots[0]).rank == 6
    league_publish(table=again, by=world.office)
    before = list(LeagueRow.objects.filter(table=again).values_list("pk", "rank"))
    with pytest.raises(ValidationError, match="已经发布"):
        compute(world, "2026-05")
    assert list(LeagueRow.objects.filter(table=again).values_list("pk", "rank")) == before


@pytest.mark.parametrize("month", ["2026-13", "26-05", "2031-01", ""])
def test_bad_month_writes_nothing(world, fake_inputs, month):
    with pytest.raises(ValidationError):
        compute(world, month)
    assert not LeagueTable.objects.exists()


def test_bad_weights_write_nothing(world, fake_inputs):
    fake_inputs.month("2026-05", world.pilots, rates=RATES)
    with pytest.raises(ValidationError, match="权重"):
        compute(world, "2026-05", rules={"weights": {"plan_rate": 0}})
    assert not LeagueTable.objects.exists()


def test_another_county_may_not_compute(world, fake_inputs, tree):
    other = make_user("sv-other", tree.other_county, "office")
    with pytest.raises(PermissionDenied):
        league_compute(programme=world.programme, cycle=world.batch1, month="2026-05", by=other)
    school = world.coordinators[world.pilots[0].pk]
    with pytest.raises(PermissionDenied):
        league_compute(programme=world.programme, cycle=world.batch1, month="2026-05", by=school)


def _publish_months(world, fake_inputs, plan):
    """``plan``: month -> rates; compute and publish each in order."""
    tables = []
    for month, rates in plan.items():
        fake_inputs.month(month, world.pilots, rates=rates)
        table = compute(world, month)
        league_publish(table=table, by=world.office)
        tables.append(table)
    return tables


def test_escalation_over_months_and_made_up(world, fake_inputs):
    good = [0.9] * 6
    behind_last = [0.9, 0.85, 0.8, 0.8, 0.8, 0.2]
    _publish_months(
        world,
        fake_inputs,
        {
            "2026-04": behind_last,
            "2026-05": behind_last,
            "2026-06": behind_last,
            "2026-07": good,
            "2026-08": good,
        },
    )
    last = world.pilots[5]
    case = SupervisionCase.objects.get(unit=last)
    moves = list(case.events.values_list("month", "from_level", "to_level"))
    assert moves == [
        ("2026-04", "none", "notice"),
        ("2026-05", "notice", "warning"),
        ("2026-06", "warning", "red"),
        ("2026-07", "red", "made_up"),
        ("2026-08", "made_up", "none"),
    ]
    assert case.opened_month == "2026-04" and case.level == "none"


def test_all_tied_nobody_is_at_the_bottom(world, fake_inputs):
    fake_inputs.month("2026-05", world.pilots, rates=[0.9] * 6)
    table = compute(world, "2026-05")
    assert set(table.rows.values_list("rank", flat=True)) == {1}
    assert not table.rows.filter(bottom=True).exists()


def test_publish_notifies_escalated_units_and_refuses_out_of_order(world, fake_inputs):
    from shidian.apps.notifications.models import Notification

    may, june = _publish_months(world, fake_inputs, {"2026-05": RATES, "2026-06": RATES})
    coordinator = world.coordinators[world.pilots[5].pk]
    notes = Notification.objects.filter(user=coordinator).order_by("pk")
    assert notes.count() == 2  # notice in May, warning in June
    assert notes.last().url == "/supervision/mine/"
    top = world.coordinators[world.pilots[0].pk]
    assert not Notification.objects.filter(user=top).exists()
    fake_inputs.month("2026-04", world.pilots, rates=RATES)
    april = compute(world, "2026-04")
    with pytest.raises(ValidationError, match="按月份顺序"):
        league_publish(table=april, by=world.office)
    assert not LeagueTable.objects.get(pk=april.pk).published
    with pytest.raises(ValidationError, match="已经发布"):
        league_publish(table=june, by=world.office)
    assert SupervisionEvent.objects.filter(month="2026-06").count() == 3


def test_overdue_is_red_at_once(world, fake_inputs):
    fake_inputs.month("2026-05", world.pilots, rates=[0.9] * 5 + [0.95], late_tasks={"A1-1": 3})
    table = compute(world, "2026-05")
    league_publish(table=table, by=world.office)
    assert SupervisionCase.objects.get(unit=world.pilots[0]).level == "red"


def test_bottom_units_contract(world, fake_inputs):
    fake_inputs.month("2026-05", world.pilots, rates=RATES)
    table = compute(world, "2026-05")
    assert bottom_units(world.programme, month="2026-05", count=2) == []  # draft: not yet
    league_publish(table=table, by=world.office)
    worst = [world.pilots[5].pk, world.pilots[4].pk]
    assert bottom_units(world.programme, month="2026-05", count=2) == worst
    assert bottom_units(world.programme, month="2026-05", count=2, cycle_number=1) == worst
    assert bottom_units(world.programme, month="2026-05", count=2, cycle_number=2) == []
    assert bottom_units(world.programme, month="2026-05", count=0) == []
    assert len(bottom_units(world.programme, month="2026-05", count=50)) == 6
