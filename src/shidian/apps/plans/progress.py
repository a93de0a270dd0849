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
    raise NotImplementedError("plans.progress.completion_for")
