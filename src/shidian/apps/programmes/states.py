"""Participation states of a unit in a programme and the moves between them. Pure: no Django.

A unit in a programme's scope starts ``eligible``; the office (or later steps: selection,
acceptance) moves it on. A position is the state plus the batch (the cycle's number) a pilot
belongs to; accepted, conditionally accepted and not accepted keep the batch they were piloted in.
Every move is checked here, so the services, the bulk move and the history replay share one rule.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    ELIGIBLE = "eligible"
    RECOMMENDED = "recommended"
    SHORTLISTED = "shortlisted"
    PILOT = "pilot"
    CONTROL = "control"
    ACCEPTED = "accepted"
    CONDITIONAL = "conditional"
    NOT_ACCEPTED = "not_accepted"
    WITHDRAWN = "withdrawn"


S = State
# Where each state may go. Backward steps exist where offices really take them: a recommended
# unit not shortlisted goes back to eligible, a shortlisted one not picked back to recommended
# (or to eligible when the selection had no recommendation step), a control may become a pilot
# of a later batch, a pilot may change batch. A selection without recommendation shortlists
# eligible units directly, and matched controls come from the whole population, so eligible and
# recommended units may become controls.
ALLOWED: dict[State, frozenset[State]] = {
    S.ELIGIBLE: frozenset({S.RECOMMENDED, S.SHORTLISTED, S.CONTROL, S.WITHDRAWN}),
    S.RECOMMENDED: frozenset({S.SHORTLISTED, S.ELIGIBLE, S.CONTROL, S.WITHDRAWN}),
    S.SHORTLISTED: frozenset({S.PILOT, S.CONTROL, S.RECOMMENDED, S.ELIGIBLE, S.WITHDRAWN}),
    S.CONTROL: frozenset({S.PILOT, S.ELIGIBLE, S.WITHDRAWN}),
    S.PILOT: frozenset({S.PILOT, S.ACCEPTED, S.CONDITIONAL, S.NOT_ACCEPTED, S.WITHDRAWN}),
    S.CONDITIONAL: frozenset({S.ACCEPTED, S.NOT_ACCEPTED, S.WITHDRAWN}),
    S.NOT_ACCEPTED: frozenset({S.WITHDRAWN}),
    S.ACCEPTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
# States that carry the batch of the pilot; every other state has none.
WITH_BATCH = frozenset({S.PILOT, S.ACCEPTED, S.CONDITIONAL, S.NOT_ACCEPTED})
# Moves that must say why (the history is read by people deciding on appeals).
REASON_REQUIRED = frozenset({S.WITHDRAWN, S.NOT_ACCEPTED, S.CONDITIONAL})


@dataclass(frozen=True)
class Position:
    state: State
    batch: int | None = None


INITIAL = Position(S.ELIGIBLE, None)


class TransitionError(ValueError):
    """A refused move. ``code`` is stable (the app turns it into the user's language)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


def move(
    position: Position,
    to: State | str,
    *,
    batch: int | None = None,
    reason: str = "",
    batches: Collection[int] | None = None,
) -> Position:
    """The position after moving to ``to``; raises TransitionError for an illegal move.

    ``batch`` is required when becoming a pilot (and must be one of ``batches`` when given);
    leaving a pilot for an acceptance result keeps its batch, and passing another is refused.
    """
    try:
        target = State(to)
    except ValueError as exc:
        raise TransitionError("unknown_state", state=str(to)) from exc
    if target not in ALLOWED[position.state]:
        raise TransitionError("illegal", frm=position.state.value, to=target.value)
    if target in REASON_REQUIRED and not reason.strip():
        raise TransitionError("reason_required", to=target.value)
    if target == S.PILOT:
        if batch is None:
            raise TransitionError("batch_required")
        if batches is not None and batch not in batches:
            raise TransitionError("unknown_batch", batch=batch)
        if position.state == S.PILOT and batch == position.batch:
            raise TransitionError("same_batch", batch=batch)
        return Position(target, batch)
    if batch is not None and batch != position.batch:
        raise TransitionError("batch_not_allowed", to=target.value)
    return Position(target, position.batch if target in WITH_BATCH else None)


def replay(moves: Iterable[tuple[State | str, int | None]], start: Position = INITIAL) -> Position:
    """Replay recorded moves (state, batch) from ``start``; a recorded history must replay to the
    stored position, which a test checks for every participation."""
    position = start
    for to, batch in moves:
        target = State(to)
        position = move(
            position,
            target,
            batch=batch if target == S.PILOT else None,
            reason="replay",
        )
        if batch is not None and position.batch != batch:
            raise TransitionError("replay_batch", batch=batch)
    return position


def targets(state: State | str) -> list[State]:
    """The states a unit in ``state`` may move to, in lifecycle order."""
    allowed = ALLOWED[State(state)]
    return [s for s in State if s in allowed]
