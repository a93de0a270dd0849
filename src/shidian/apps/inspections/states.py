"""The state rules of rectification items and inspection visits (pure: no Django).

Items: issued -> answered (the school, with evidence) -> closed (the office verifies) or
reopened (the office, with a reason) -> answered again ... ; closed is final.
Visits: scheduled -> in_progress -> completed; scheduled or in_progress -> cancelled.
"""

from __future__ import annotations

ISSUED = "issued"
ANSWERED = "answered"
CLOSED = "closed"
REOPENED = "reopened"
ITEM_STATES = (ISSUED, ANSWERED, CLOSED, REOPENED)

ANSWER = "answer"
CLOSE = "close"
REOPEN = "reopen"

# action -> (states it starts from, state it ends in)
ITEM_MOVES: dict[str, tuple[frozenset[str], str]] = {
    ANSWER: (frozenset({ISSUED, REOPENED}), ANSWERED),
    CLOSE: (frozenset({ANSWERED}), CLOSED),
    REOPEN: (frozenset({ANSWERED}), REOPENED),
}
NEEDS_REASON = frozenset({REOPEN})
OPEN_STATES = frozenset({ISSUED, ANSWERED, REOPENED})
# Where the unit still owes an answer (overdue counts only these).
AWAITING_UNIT = frozenset({ISSUED, REOPENED})

SCHEDULED = "scheduled"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
CANCELLED = "cancelled"
VISIT_STATES = (SCHEDULED, IN_PROGRESS, COMPLETED, CANCELLED)
VISIT_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({SCHEDULED}), IN_PROGRESS),
    "complete": (frozenset({IN_PROGRESS}), COMPLETED),
    "cancel": (frozenset({SCHEDULED, IN_PROGRESS}), CANCELLED),
}


class MoveRefused(ValueError):
    """A move the rules do not allow; ``code`` is stable ("not_allowed", "reason_required")."""

    def __init__(self, code: str, *, state: str, action: str):
        super().__init__(f"{action} from {state}: {code}")
        self.code = code
        self.state = state
        self.action = action


def item_next(state: str, action: str, *, reason: str = "") -> str:
    """The state after ``action`` from ``state``, or MoveRefused."""
    if action not in ITEM_MOVES:
        raise MoveRefused("unknown_action", state=state, action=action)
    starts, ends = ITEM_MOVES[action]
    if state not in starts:
        raise MoveRefused("not_allowed", state=state, action=action)
    if action in NEEDS_REASON and not reason.strip():
        raise MoveRefused("reason_required", state=state, action=action)
    return ends


def item_actions(state: str) -> list[str]:
    return [a for a, (starts, _end) in ITEM_MOVES.items() if state in starts]


def visit_next(state: str, action: str) -> str:
    if action not in VISIT_MOVES:
        raise MoveRefused("unknown_action", state=state, action=action)
    starts, ends = VISIT_MOVES[action]
    if state not in starts:
        raise MoveRefused("not_allowed", state=state, action=action)
    return ends


def replay(moves: list[tuple[str, str]], start: str = ISSUED) -> str:
    """The state a history of (action, reason) pairs leads to (each move checked)."""
    state = start
    for action, reason in moves:
        state = item_next(state, action, reason=reason)
    return state
