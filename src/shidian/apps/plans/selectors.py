"""Reads for the plans pages: a programme's plans with their figures per batch, the late
tasks, one plan's tasks with statuses and a timeline. Always through the access mechanism
(``restrict``), then the pure figures of :mod:`plans.progress`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shidian.apps.core.access import VIEW
from shidian.apps.plans.models import Plan, PlanVersion, TaskUpdate
from shidian.apps.plans.progress import PlanState, UnitCompletion, plan_states
from shidian.apps.plans.services.filings import current_filing
from shidian.engine.progress import LATE, schedule_share


@dataclass
class PlanRow:
    plan: Plan
    filing: Any  # PlanFiling | None
    state: PlanState | None

    @property
    def completion(self) -> UnitCompletion | None:
        return self.state.completion if self.state else None


@dataclass
class Rollup:
    """Mean over units (each unit counts once) of their rates and scheduled shares."""

    label: str
    units: int
    rate: float | None
    scheduled: float | None
    behind: int

    @property
    def is_behind(self) -> bool:
        return self.rate is not None and self.rate + 1e-9 < (self.scheduled or 0)


def _rollup(label: str, rows: list[PlanRow]) -> Rollup:
    done = [r.completion for r in rows if r.completion is not None]
    if not done:
        return Rollup(label, 0, None, None, 0)
    return Rollup(
        label,
        len(done),
        sum(c.rate for c in done) / len(done),
        sum(c.scheduled for c in done) / len(done),
        sum(1 for c in done if c.behind),
    )


def programme_plans(*, user: Any, programme: Any, as_of: dt.date) -> dict[str, Any]:
    plans = list(
        Plan.objects.restrict(user, VIEW)
        .filter(programme=programme)
        .select_related("unit", "batch")
        .order_by("batch__number", "unit__code")
    )
    states = {
        s.plan_id: s
        for s in plan_states(programme, as_of=as_of, unit_ids=[p.unit_id for p in plans])
    }
    rows = [PlanRow(p, current_filing(p), states.get(p.pk)) for p in plans]
    batches: dict[Any, list[PlanRow]] = {}
    for row in rows:
        batches.setdefault(row.plan.batch, []).append(row)
    return {
        "batches": [(batch, items, _rollup(str(batch), items)) for batch, items in batches.items()],
        "total": _rollup(programme.name, rows),
        "rows": rows,
    }


@dataclass
class LateTask:
    plan: Plan
    code: str
    title: str
    owner: str
    due_on: dt.date
    days_late: int


def late_tasks(*, user: Any, programme: Any, as_of: dt.date) -> list[LateTask]:
    plans = {
        p.pk: p
        for p in Plan.objects.restrict(user, VIEW)
        .filter(programme=programme)
        .select_related("unit", "batch")
    }
    found = []
    for state in plan_states(programme, as_of=as_of, unit_ids=[p.unit_id for p in plans.values()]):
        plan = plans.get(state.plan_id)
        if plan is None:
            continue
        for task in state.tasks:
            if state.statuses.get(task.code) == LATE:
                found.append(
                    LateTask(
                        plan,
                        task.code,
                        task.title,
                        task.owner,
                        task.due_on,
                        (as_of - task.due_on).days,
                    )
                )
    found.sort(key=lambda t: (-t.days_late, t.plan.unit.code, t.code))
    return found


@dataclass
class TaskLine:
    task: Any  # PlanTask
    status: str
    last: Any  # TaskUpdate | None
    scheduled: float
    left: float  # timeline bar position, percent
    width: float


def plan_detail(*, plan: Plan, as_of: dt.date) -> dict[str, Any]:
    """The version in force today (else the latest), its tasks with statuses and bars."""
    states = plan_states(plan.programme, as_of=as_of, unit_ids=[plan.unit_id])
    state = next((s for s in states if s.plan_id == plan.pk), None)
    version = state.version if state else plan.versions.order_by("-number").first()
    if version is None:
        return {"version": None, "lines": [], "state": None}
    tasks = state.tasks if state else list(version.tasks.all())
    statuses = state.statuses if state else {}
    last: dict[str, TaskUpdate] = {}
    for update in TaskUpdate.objects.filter(plan=plan).select_related(
        "evidence"
    ):  # scoping: ok held
        last[update.task_code] = update
    live = [t for t in tasks if not t.cancelled] or tasks
    first = min([t.starts_on for t in live] + [as_of])
    end = max([t.due_on for t in live] + [as_of])
    span = max((end - first).days, 1)
    lines = [
        TaskLine(
            task=t,
            status="cancelled" if t.cancelled else statuses.get(t.code, "not_started"),
            last=last.get(t.code),
            scheduled=schedule_share(t.starts_on, t.due_on, as_of),
            left=100 * (t.starts_on - first).days / span,
            width=max(100 * (t.due_on - t.starts_on).days / span, 1.0),
        )
        for t in tasks
    ]
    return {
        "version": version,
        "versions": list(
            PlanVersion.objects.filter(plan=plan).order_by("-number")
        ),  # scoping: ok held
        "lines": lines,
        "state": state,
        "today_left": 100 * (as_of - first).days / span,
        "first": first,
        "end": end,
    }
