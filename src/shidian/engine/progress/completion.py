"""Plan completion (计划完成率) against the time-proportional schedule (序时进度).

A plan is a list of tasks, each with a start, a due date and a weight. As of a date:

- a task's *scheduled share* is 0 before its start, grows linearly to 1 at its due date;
- the plan's *scheduled* figure is the weighted mean of those shares (what should be done by
  now if work ran evenly along each task's calendar);
- the plan's *rate* is the weighted share of tasks done by then;
- *behind* means rate < scheduled: behind the calendar, not merely unfinished;
- a task is *late* when its due date has passed and it is not done.

Weighting is either by the tasks' weights or by simple count (every task weighs 1). Cancelled
tasks weigh nothing. Only updates reported on or before the date count, and the tasks are those
of the plan version in force on that date (:func:`version_in_force`), so a figure computed for
a past date never changes when a later version moves or cancels a task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

WEIGHT = "weight"
COUNT = "count"
WEIGHTINGS = (WEIGHT, COUNT)

NOT_STARTED = "not_started"
ON_TRACK = "on_track"
DONE = "done"
LATE = "late"  # derived, never reported: past due and not done

EPSILON = 1e-9


@dataclass(frozen=True)
class Task:
    code: str
    starts_on: dt.date
    due_on: dt.date
    weight: float = 1.0
    cancelled: bool = False


@dataclass(frozen=True)
class Update:
    code: str
    status: str  # NOT_STARTED | ON_TRACK | DONE
    reported_on: dt.date
    order: int = 0  # ties on one day: the higher order (later record) wins


@dataclass(frozen=True)
class Completion:
    rate: float
    scheduled: float
    behind: bool
    late_tasks: tuple[str, ...]
    tasks: int
    statuses: dict[str, str] = field(default_factory=dict)  # code -> status incl. LATE


@dataclass(frozen=True)
class Goal:
    baseline: float
    target: float
    current: float | None = None


def schedule_share(start: dt.date, due: dt.date, as_of: dt.date) -> float:
    """序时进度 of one task: 0 before ``start``, linear to 1 at ``due`` (1 after)."""
    if as_of >= due:
        return 1.0
    if as_of <= start:
        return 0.0
    return (as_of - start).days / (due - start).days


def status_as_of(task: Task, updates: Iterable[Update], as_of: dt.date) -> str:
    """The task's status on ``as_of``: its latest update reported by then, LATE when past due
    and not done."""
    latest: Update | None = None
    for update in updates:
        if update.code != task.code or update.reported_on > as_of:
            continue
        if latest is None or (update.reported_on, update.order) >= (
            latest.reported_on,
            latest.order,
        ):
            latest = update
    status = latest.status if latest is not None else NOT_STARTED
    if status != DONE and task.due_on < as_of:
        return LATE
    return status


def plan_completion(
    tasks: Sequence[Task],
    updates_as_of: Iterable[Update],
    as_of: dt.date,
    weighting: str = WEIGHT,
) -> Completion:
    """The plan's completion on ``as_of`` (updates after ``as_of`` are ignored)."""
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {WEIGHTINGS}, not {weighting!r}")
    updates = [u for u in updates_as_of if u.reported_on <= as_of]
    live = [t for t in tasks if not t.cancelled]
    total = done = scheduled = 0.0
    late: list[str] = []
    statuses: dict[str, str] = {}
    for task in live:
        weight = 1.0 if weighting == COUNT else float(task.weight)
        if weight <= 0:
            continue
        status = status_as_of(task, updates, as_of)
        statuses[task.code] = status
        total += weight
        scheduled += weight * schedule_share(task.starts_on, task.due_on, as_of)
        if status == DONE:
            done += weight
        elif status == LATE:
            late.append(task.code)
    if total <= 0:
        return Completion(0.0, 0.0, False, (), 0, statuses)
    rate = min(1.0, max(0.0, done / total))
    share = min(1.0, max(0.0, scheduled / total))
    return Completion(
        rate=rate,
        scheduled=share,
        behind=rate + EPSILON < share,
        late_tasks=tuple(sorted(late)),
        tasks=len(statuses),
        statuses=statuses,
    )


V = TypeVar("V")


def version_in_force(versions: Sequence[tuple[dt.date, int, V]], as_of: dt.date) -> V | None:
    """The version effective on ``as_of`` from (effective_on, number, version) rows: the
    highest number among those effective by then; None before the first."""
    best: tuple[dt.date, int, V] | None = None
    for row in versions:
        if row[0] <= as_of and (best is None or row[1] > best[1]):
            best = row
    return best[2] if best is not None else None


def goal_progress(goals: Iterable[Goal]) -> float | None:
    """Mean over goals of (current - baseline) / (target - baseline), each clipped to [0, 1];
    a goal without a current value counts 0; None when no goal has a current value."""
    shares: list[float] = []
    any_current = False
    for goal in goals:
        if goal.current is None:
            shares.append(0.0)
            continue
        any_current = True
        span = goal.target - goal.baseline
        if abs(span) < EPSILON:
            share = 1.0 if _reached(goal) else 0.0
        else:
            share = (goal.current - goal.baseline) / span
        shares.append(min(1.0, max(0.0, share)))
    if not any_current or not shares:
        return None
    return sum(shares) / len(shares)


def _reached(goal: Goal) -> bool:
    return goal.current is not None and goal.current >= goal.target
