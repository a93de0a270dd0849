"""The submission state machine (pure functions), driven by random sequences of actions."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shidian.apps.submissions import states
from shidian.apps.submissions.states import EDITABLE, Refused, Status

ACTIONS = ("save", "submit", "return", "accept")
STEP = {
    "save": states.after_save,
    "submit": states.after_submit,
    "return": states.after_return,
    "accept": states.after_accept,
}


def run(actions):
    """Apply the actions that are allowed, skip the refused ones; return the trace."""
    status, trace = Status.NOT_OPENED, []
    for action in actions:
        try:
            new = STEP[action](status)
        except Refused:
            trace.append((action, status, None))
            continue
        trace.append((action, status, new))
        status = new
    return status, trace


@given(st.lists(st.sampled_from(ACTIONS), max_size=40))
def test_every_sequence_follows_the_rules(actions):
    status, trace = run(actions)
    returned_before = False
    for action, before, after in trace:
        if after is None:  # refused: the status did not change
            if action in ("save", "submit"):
                assert before not in EDITABLE
            else:
                assert before not in states.WAITING
            continue
        assert after in Status.values
        if action == "save":
            assert before in EDITABLE and after in EDITABLE and after != Status.NOT_OPENED
        if action == "submit":
            assert after == (Status.RESUBMITTED if before == Status.RETURNED else Status.SUBMITTED)
            # resubmitted only ever follows a return
            assert after != Status.RESUBMITTED or returned_before
        if action == "return":
            returned_before = True
            assert after == Status.RETURNED
        if before == Status.ACCEPTED:
            pytest.fail("accepted is final")


@given(st.lists(st.sampled_from(ACTIONS), max_size=40))
def test_accepted_is_final(actions):
    status, _trace = run(["save", "submit", "accept", *actions])
    assert status == Status.ACCEPTED


def test_the_whole_path():
    status, _ = run(["save", "submit", "return", "save", "submit", "accept"])
    assert status == Status.ACCEPTED


DEADLINE = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@given(
    offset=st.integers(min_value=-10_000, max_value=10_000),
    accept_late=st.booleans(),
    round_open=st.booleans(),
)
def test_round_open_and_late_rules(offset, accept_late, round_open):
    now = DEADLINE + dt.timedelta(minutes=offset)
    try:
        states.check_round_open(
            round_open=round_open, deadline=DEADLINE, now=now, accept_late=accept_late
        )
    except Refused as exc:
        assert exc.code == ("closed" if not round_open else "late")
        assert not round_open or (now > DEADLINE and not accept_late)
    else:
        assert round_open and (now <= DEADLINE or accept_late)
    assert states.is_late(submitted_at=now, deadline=DEADLINE) == (now > DEADLINE)
