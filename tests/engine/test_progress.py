"""计划完成率 and 序时进度: unit cases and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shidian.engine.progress import (
    COUNT,
    DONE,
    LATE,
    ON_TRACK,
    WEIGHT,
    Goal,
    Task,
    Update,
    goal_progress,
    plan_completion,
    schedule_share,
    version_in_force,
)

D0 = dt.date(2026, 1, 1)


def d(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def test_schedule_share_is_zero_before_linear_then_one():
    assert schedule_share(d(10), d(20), d(5)) == 0.0
    assert schedule_share(d(10), d(20), d(10)) == 0.0
    assert schedule_share(d(10), d(20), d(15)) == pytest.approx(0.5)
    assert schedule_share(d(10), d(20), d(20)) == 1.0
    assert schedule_share(d(10), d(20), d(99)) == 1.0
    assert schedule_share(d(10), d(10), d(10)) == 1.0  # a one-day task is due that day


def test_completion_behind_the_calendar_and_late():
    tasks = [Task("T1", d(0), d(10), 3), Task("T2", d(0), d(40), 1)]
    updates = [Update("T2", DONE, d(5)), Update("T1", ON_TRACK, d(3))]
    result = plan_completion(tasks, updates, d(20), WEIGHT)
    assert result.rate == pytest.approx(0.25)
    assert result.scheduled == pytest.approx((3 * 1 + 1 * 0.5) / 4)
    assert result.behind and result.late_tasks == ("T1",)
    assert result.statuses == {"T1": LATE, "T2": DONE}
    counted = plan_completion(tasks, updates, d(20), COUNT)
    assert counted.rate == pytest.approx(0.5)


def test_updates_after_the_date_and_cancelled_tasks_do_not_count():
    tasks = [Task("T1", d(0), d(10)), Task("T2", d(0), d(10), cancelled=True)]
    updates = [Update("T1", DONE, d(30))]
    result = plan_completion(tasks, updates, d(5), COUNT)
    assert (result.rate, result.tasks, result.late_tasks) == (0.0, 1, ())
    assert plan_completion(tasks, updates, d(30), COUNT).rate == 1.0
    assert plan_completion([], [], d(5)).rate == 0.0


def test_the_latest_update_wins_and_done_can_be_reopened():
    tasks = [Task("T1", d(0), d(10))]
    updates = [Update("T1", DONE, d(2), order=1), Update("T1", ON_TRACK, d(2), order=2)]
    assert plan_completion(tasks, updates, d(3)).rate == 0.0


def test_bad_weighting_is_refused():
    with pytest.raises(ValueError):
        plan_completion([], [], d(0), "bogus")


def test_version_in_force_and_goal_progress():
    rows = [(d(0), 1, "v1"), (d(10), 2, "v2")]
    assert version_in_force(rows, d(-1)) is None
    assert version_in_force(rows, d(9)) == "v1"
    assert version_in_force(rows, d(10)) == "v2"
    assert goal_progress([Goal(0, 10, None)]) is None
    assert goal_progress([Goal(0, 10, 5), Goal(10, 20, 30), Goal(5, 5, None)]) == pytest.approx(0.5)
    assert goal_progress([Goal(10, 0, 5)]) == pytest.approx(0.5)  # a goal to reduce


days = st.integers(min_value=0, max_value=400)


@st.composite
def plans(draw):
    n = draw(st.integers(min_value=0, max_value=8))
    tasks = []
    for i in range(n):
        start = draw(days)
        length = draw(st.integers(min_value=0, max_value=200))
        weight = draw(st.floats(min_value=0.1, max_value=100, allow_nan=False))
        tasks.append(Task(f"T{i}", d(start), d(start + length), weight))
    updates = [
        Update(
            f"T{draw(st.integers(0, max(n - 1, 0)))}",
            draw(st.sampled_from(["not_started", ON_TRACK, DONE])),
            d(draw(days)),
            order=k,
        )
        for k in range(draw(st.integers(0, 12)))
    ]
    return tasks, updates


@settings(max_examples=200, deadline=None)
@given(plans(), days, st.sampled_from([WEIGHT, COUNT]))
def test_rate_and_scheduled_stay_in_unit_interval(plan, day, weighting):
    tasks, updates = plan
    result = plan_completion(tasks, updates, d(day), weighting)
    assert 0.0 <= result.rate <= 1.0 and 0.0 <= result.scheduled <= 1.0
    assert set(result.late_tasks) <= {t.code for t in tasks}


@settings(max_examples=200, deadline=None)
@given(plans(), days, days, st.data())
def test_a_later_version_never_changes_an_earlier_date(plan, day, later, data):
    tasks, updates = plan
    as_of, effective = d(day), d(day + 1 + later)
    # v2, effective after as_of, cancels or moves some tasks
    v2 = []
    for task in tasks:
        change = data.draw(st.sampled_from(["keep", "cancel", "move"]))
        if change == "cancel":
            v2.append(Task(task.code, task.starts_on, task.due_on, task.weight, cancelled=True))
        elif change == "move":
            v2.append(Task(task.code, task.starts_on, task.due_on + dt.timedelta(days=30)))
        else:
            v2.append(task)
    versions = [(d(0), 1, tasks), (effective, 2, v2)]
    before = plan_completion(tasks, updates, as_of)
    in_force = version_in_force(versions, as_of)
    assert in_force is tasks
    assert plan_completion(in_force, updates, as_of) == before


@settings(max_examples=200, deadline=None)
@given(plans(), days, st.floats(min_value=0.5, max_value=50, allow_nan=False))
def test_count_equals_weight_with_equal_weights(plan, day, weight):
    tasks, updates = plan
    equal = [Task(t.code, t.starts_on, t.due_on, weight) for t in tasks]
    by_weight = plan_completion(equal, updates, d(day), WEIGHT)
    by_count = plan_completion(equal, updates, d(day), COUNT)
    assert by_weight.rate == pytest.approx(by_count.rate)
    assert by_weight.scheduled == pytest.approx(by_count.scheduled)
    assert by_weight.late_tasks == by_count.late_tasks
