"""The item and visit state rules, driven by random action sequences."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shidian.apps.inspections import states as s

actions = st.lists(
    st.tuples(st.sampled_from([s.ANSWER, s.CLOSE, s.REOPEN, "bogus"]), st.sampled_from(["", "x"])),
    max_size=30,
)
ALLOWED = {
    (s.ISSUED, s.ANSWER),
    (s.REOPENED, s.ANSWER),
    (s.ANSWERED, s.CLOSE),
    (s.ANSWERED, s.REOPEN),
}


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions)
def test_only_the_listed_moves_are_accepted(seq):
    state = s.ISSUED
    accepted = []
    for action, reason in seq:
        try:
            new = s.item_next(state, action, reason=reason)
        except s.MoveRefused as refused:
            assert (state, action) not in ALLOWED or (action == s.REOPEN and not reason)
            assert refused.code in {"not_allowed", "reason_required", "unknown_action"}
            continue
        assert (state, action) in ALLOWED
        if action == s.REOPEN:
            assert reason
        accepted.append((action, reason))
        state = new
    assert s.replay(accepted) == state


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions)
def test_closed_is_final(seq):
    state = s.CLOSED
    for action, reason in seq:
        with pytest.raises(s.MoveRefused):
            s.item_next(state, action, reason=reason)


def test_reopen_needs_a_reason():
    with pytest.raises(s.MoveRefused) as refused:
        s.item_next(s.ANSWERED, s.REOPEN, reason="  ")
    assert refused.value.code == "reason_required"
    assert s.item_next(s.ANSWERED, s.REOPEN, reason="照片不清楚") == s.REOPENED


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["start", "complete", "cancel", "x"]), max_size=10))
def test_visit_moves(seq):
    state = s.SCHEDULED
    for action in seq:
        try:
            state = s.visit_next(state, action)
        except s.MoveRefused:
            continue
    assert state in s.VISIT_STATES
    for action in ("start", "complete", "cancel"):
        if state in (s.COMPLETED, s.CANCELLED):
            with pytest.raises(s.MoveRefused):
                s.visit_next(state, action)
