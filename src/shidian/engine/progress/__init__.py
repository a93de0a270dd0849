"""计划完成率 against 序时进度: pure plan-progress arithmetic (no Django).

See :mod:`shidian.engine.progress.completion`.
"""

from shidian.engine.progress.completion import (
    COUNT,
    DONE,
    LATE,
    NOT_STARTED,
    ON_TRACK,
    WEIGHT,
    WEIGHTINGS,
    Completion,
    Goal,
    Task,
    Update,
    goal_progress,
    plan_completion,
    schedule_share,
    status_as_of,
    version_in_force,
)

__all__ = [
    "COUNT",
    "DONE",
    "LATE",
    "NOT_STARTED",
    "ON_TRACK",
    "WEIGHT",
    "WEIGHTINGS",
    "Completion",
    "Goal",
    "Task",
    "Update",
    "goal_progress",
    "plan_completion",
    "schedule_share",
    "status_as_of",
    "version_in_force",
]
