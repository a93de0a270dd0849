"""The participation state rules (pure): no illegal move is accepted, histories replay."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shidian.apps.programmes import states
from shidian.apps.programmes.states import ALLOWED, INITIAL, Position, State, TransitionError

BATCHES = {1, 2, 3}
moves = st.lists(
    st.tuples(st.sampled_from(list(State)), st.one_of(st.none(), st.integers(0, 4))),
    max_size=30,
)


def _legal(position: Position, to: State, batch: int | None) -> bool:
    if to not in ALLOWED[position.state]:
        return False
    if to == State.PILOT:
        return batch in BATCHES and not (position.state == State.PILOT and batch == position.batch)
    return batch is None or batch == position.batch


@given(moves)
def test_a_move_is_accepted_exactly_when_the_rules_allow_it(sequence):
    position = INITIAL
    for to, batch in sequence:
        legal = _legal(position, to, batch)
        try:
            after = states.move(position, to, batch=batch, reason="why", batches=BATCHES)
        except TransitionError:
            assert not legal, (position, to, batch)
            continue
        assert legal, (position, to, batch)
        assert after.state == to
        # A position carries a batch exactly when its state does.
        assert (after.batch is not None) == (to in states.WITH_BATCH)
        position = after


@given(moves)
def test_recorded_history_replays_to_the_current_position(sequence):
    position, history = INITIAL, []
    for to, batch in sequence:
        try:
            position = states.move(position, to, batch=batch, reason="why", batches=BATCHES)
        except TransitionError:
            continue
        history.append((position.state, position.batch))
    assert states.replay(history) == position


@given(st.sampled_from(list(State)), st.sampled_from(list(State)))
def test_terminal_states_go_nowhere(frm, to):
    if frm in {State.ACCEPTED, State.WITHDRAWN}:
        with pytest.raises(TransitionError):
            states.move(Position(frm, 1 if frm in states.WITH_BATCH else None), to, reason="x")


def test_pilot_needs_a_batch_and_withdrawal_a_reason():
    shortlisted = Position(State.SHORTLISTED)
    with pytest.raises(TransitionError) as exc:
        states.move(shortlisted, State.PILOT)
    assert exc.value.code == "batch_required"
    with pytest.raises(TransitionError) as exc:
        states.move(shortlisted, State.WITHDRAWN, reason="  ")
    assert exc.value.code == "reason_required"
    pilot = states.move(shortlisted, State.PILOT, batch=2, batches=BATCHES)
    assert states.move(pilot, State.ACCEPTED) == Position(State.ACCEPTED, 2)


def test_illegal_replay_is_refused():
    with pytest.raises(TransitionError):
        states.replay([(State.ACCEPTED, None)])


def test_states_module_does_not_import_django():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(states.__file__).read_text(encoding="utf-8"))
    names = [
        alias.name if isinstance(node, ast.Import) else node.module or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [node])
    ]
    assert not [n for n in names if n.startswith("django")]


def test_the_pilot_state_reads_pilot_in_english_not_the_product_name():
    """ "试点" alone is the product's name (Shidian) in the core catalog, which Django prefers;
    the participation state has a context of its own."""
    from django.utils import translation

    from shidian.apps.programmes.models import ParticipationState

    with translation.override("en"):
        assert str(ParticipationState.PILOT.label) == "Pilot"
    with translation.override("zh-hans"):
        assert str(ParticipationState.PILOT.label) == "试点"
