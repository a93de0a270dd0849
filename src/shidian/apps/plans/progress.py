"""计划完成率: plan completion per unit against the time-proportional schedule (序时进度).

CONTRACT (foundation; the plans helper implements it, the league table reads it):

    completion_for(programme, *, as_of, unit_ids=None) -> dict[int, UnitCompletion]

For each unit with an approved creation plan in ``programme``: the plan version in force on
``as_of`` and the task progress recorded up to ``as_of`` (so a past month never changes when a
task is later moved or cancelled).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from shidian.engine import progress as engine


@dataclass(frozen=True)
class UnitCompletion:
    unit_id: int
    rate: float  # 计划完成率, 0..1: done tasks' share (by weight or count, see ``weighting``)
    scheduled: float  # 序时进度, 0..1: the share that should be done by ``as_of``
    behind: bool  # rate < scheduled (behind the calendar, not just unfinished)
    tasks: int
    late_tasks: int  # tasks past due and not done
    weighting: str  # "weight" | "count"
    goal_progress: float | None = None  # mean progress of the plan's goals baseline -> target


def completion_for(
    programme: Any, *, as_of: date, unit_ids: Iterable[int] | None = None
) -> dict[int, UnitCompletion]:
    """Unit id -> its completion on ``as_of``; units without a version in force are absent.

    No access check: the caller has scoped ``programme`` and ``unit_ids`` already.
    """
    return {
        row.unit_id: row.completion
        for row in plan_states(programme, as_of=as_of, unit_ids=unit_ids)
    }


@dataclass(frozen=True)
class PlanState:
    """One plan on a date: its version in force, its tasks with their statuses, the figures."""

    plan_id: int
    unit_id: int
    batch_id: int
    version: Any  # PlanVersion
    tasks: list  # PlanTask rows of the version
    statuses: dict[str, str]
    completion: UnitCompletion


def plan_states(
    programme: Any, *, as_of: date, unit_ids: Iterable[int] | None = None
) -> list[PlanState]:
    from shidian.apps.plans.models import GoalUpdate, Plan, PlanTask, PlanVersion, TaskUpdate

    plans = Plan.objects.filter(programme=programme)  # scoping: ok the caller scoped it
    if unit_ids is not None:
        plans = plans.filter(unit_id__in=list(unit_ids))
    plans = {p.pk: p for p in plans.only("pk", "unit_id", "batch_id")}
    if not plans:
        return []
    rows = PlanVersion.objects.filter(  # scoping: ok as above
        plan_id__in=list(plans), effective_on__lte=as_of
    ).only("pk", "plan_id", "number", "effective_on", "weighting", "goals")
    by_plan: dict[int, list] = {}
    for version in rows:
        by_plan.setdefault(version.plan_id, []).append(
            (version.effective_on, version.number, version)
        )
    in_force = {pid: engine.version_in_force(vs, as_of) for pid, vs in by_plan.items()}
    tasks: dict[int, list] = {}
    for task in PlanTask.objects.filter(  # scoping: ok as above
        version_id__in=[v.pk for v in in_force.values()]
    ).order_by("starts_on", "code"):
        tasks.setdefault(task.version_id, []).append(task)
    updates: dict[int, list] = {}
    for u in TaskUpdate.objects.filter(  # scoping: ok as above
        plan_id__in=list(in_force), reported_on__lte=as_of
    ).values("plan_id", "task_code", "status", "reported_on", "pk"):
        updates.setdefault(u["plan_id"], []).append(
            engine.Update(u["task_code"], u["status"], u["reported_on"], order=u["pk"])
        )
    currents: dict[tuple[int, str], float] = {}
    for g in (
        GoalUpdate.objects.filter(  # scoping: ok as above
            plan_id__in=list(in_force), reported_on__lte=as_of
        )
        .order_by("reported_on", "pk")
        .values("plan_id", "goal_code", "value")
    ):
        currents[(g["plan_id"], g["goal_code"])] = g["value"]
    states = []
    for plan_id, version in in_force.items():
        plan = plans[plan_id]
        rows_ = tasks.get(version.pk, [])
        result = engine.plan_completion(
            [engine.Task(t.code, t.starts_on, t.due_on, t.weight, t.cancelled) for t in rows_],
            updates.get(plan_id, []),
            as_of,
            version.weighting,
        )
        goals = []
        for goal in version.goals:
            try:
                goals.append(
                    engine.Goal(
                        float(goal["baseline"]),
                        float(goal["target"]),
                        currents.get((plan_id, goal.get("code", ""))),
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue
        completion = UnitCompletion(
            unit_id=plan.unit_id,
            rate=result.rate,
            scheduled=result.scheduled,
            behind=result.behind,
            tasks=result.tasks,
            late_tasks=len(result.late_tasks),
            weighting=version.weighting,
            goal_progress=engine.goal_progress(goals),
        )
        states.append(
            PlanState(
                plan_id, plan.unit_id, plan.batch_id, version, rows_, result.statuses, completion
            )
        )
    return states
