"""League tables and 督办 escalation (按月通报、末位督办): pure scoring, ranking, grading and
the supervision state machine. No Django here (tests/engine/test_no_django.py)."""

from shidian.engine.league.escalation import (
    LEVELS,
    Level,
    MonthSignal,
    State,
    replay,
    step,
)
from shidian.engine.league.scoring import (
    COMPONENTS,
    DEFAULT_RULES,
    DEFAULT_WEIGHTS,
    Components,
    Rules,
    bottom_set,
    grade_for,
    rank_with_ties,
    score,
)

__all__ = [
    "COMPONENTS",
    "DEFAULT_RULES",
    "DEFAULT_WEIGHTS",
    "LEVELS",
    "Components",
    "Level",
    "MonthSignal",
    "Rules",
    "State",
    "bottom_set",
    "grade_for",
    "rank_with_ties",
    "replay",
    "score",
    "step",
]
