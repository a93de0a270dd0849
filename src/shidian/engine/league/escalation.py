"""The 督办 escalation as a pure state machine, one step per month.

Levels: none -> notice (behind schedule or at the bottom this month) -> warning (two
consecutive such months) -> red (three consecutive months, or a task/report overdue beyond the
thresholds). A good month never jumps to none from notice, warning or red: it goes to made_up
(yellow, "已改进"), and only a further good month from made_up goes to none, so the record keeps
the improvement visible. While flagged, the level never falls (red stays red).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    NONE = "none"
    NOTICE = "notice"
    WARNING = "warning"
    RED = "red"
    MADE_UP = "made_up"


LEVELS = tuple(Level)
SEVERITY = {Level.NONE: 0, Level.MADE_UP: 0, Level.NOTICE: 1, Level.WARNING: 2, Level.RED: 3}
OPEN_LEVELS = frozenset({Level.NOTICE, Level.WARNING, Level.RED})


@dataclass(frozen=True)
class MonthSignal:
    behind: bool = False  # behind the schedule (序时进度)
    bottom: bool = False  # in the bottom N of the month's table
    overdue: bool = False  # tasks/reports overdue beyond the thresholds

    @property
    def flagged(self) -> bool:
        return self.behind or self.bottom or self.overdue


@dataclass(frozen=True)
class State:
    level: Level = Level.NONE
    streak: int = 0  # consecutive flagged months up to now


def step(state: State, signal: MonthSignal) -> State:
    """The state after one more month."""
    if signal.flagged:
        streak = state.streak + 1
        if signal.overdue or streak >= 3:
            target = Level.RED
        elif streak == 2:
            target = Level.WARNING
        else:
            target = Level.NOTICE
        if state.level in OPEN_LEVELS and SEVERITY[state.level] > SEVERITY[target]:
            target = state.level
        return State(level=target, streak=streak)
    if state.level in OPEN_LEVELS:
        return State(level=Level.MADE_UP, streak=0)
    return State(level=Level.NONE, streak=0)


def replay(signals: Iterable[MonthSignal], start: State | None = None) -> list[State]:
    """Every month's state from ``start`` (default: none), in order."""
    state = start or State()
    out = []
    for signal in signals:
        state = step(state, signal)
        out.append(state)
    return out
