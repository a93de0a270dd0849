"""The league engine: scores, ranks with ties, grades, and the 督办 state machine."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shidian.engine.errors import EngineInputError
from shidian.engine.league import (
    DEFAULT_WEIGHTS,
    Components,
    Level,
    MonthSignal,
    Rules,
    State,
    bottom_set,
    grade_for,
    rank_with_ties,
    replay,
    score,
    step,
)
from shidian.engine.league.escalation import OPEN_LEVELS

share = st.one_of(st.none(), st.floats(min_value=0, max_value=1))
# The machine may be busy: generation speed is not what these tests are about.
relaxed = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
signals = st.builds(MonthSignal, st.booleans(), st.booleans(), st.booleans())


def test_score_uses_present_components_only():
    weights = {"plan_rate": 0.5, "timeliness": 0.3, "goal_progress": 0.2}
    assert score(Components(plan_rate=1.0, timeliness=0.0, goal_progress=0.5), weights) == 60.0
    # No report due: timeliness left out, the other weights scaled up (0.5*0.8+0.2*0.5)/0.7.
    assert score(Components(plan_rate=0.8, goal_progress=0.5), weights) == pytest.approx(71.4286)
    assert score(Components(), weights) is None
    assert score(Components(completeness=1.0), weights) is None  # weight 0: not a component


@relaxed
@given(st.builds(Components, share, share, share, share))
def test_score_is_within_0_100(components):
    value = score(components, DEFAULT_WEIGHTS)
    assert value is None or 0 <= value <= 100


def test_ranks_share_ties_and_skip():
    ranks = rank_with_ties({1: 90.0, 2: 80.04, 3: 80.0, 4: 70.0, 5: None})
    assert ranks == {1: 1, 2: 2, 3: 2, 4: 4, 5: None}


@relaxed
@given(st.dictionaries(st.integers(0, 50), st.one_of(st.none(), st.floats(0, 100)), max_size=30))
def test_ranks_are_consistent_with_scores(scores):
    ranks = rank_with_ties(scores)
    assert set(ranks) == set(scores)
    for a in scores:
        for b in scores:
            if scores[a] is None or scores[b] is None:
                continue
            if round(scores[a], 1) > round(scores[b], 1):
                assert ranks[a] < ranks[b]
            if round(scores[a], 1) == round(scores[b], 1):
                assert ranks[a] == ranks[b]
    assert all((ranks[k] is None) == (scores[k] is None) for k in scores)


def test_grades_by_bands():
    bands = Rules().bands
    assert [grade_for(v, bands) for v in (95, 85, 84.96, 70, 69.9, 60, 10)] == list("AAABCCD")
    assert grade_for(None, bands) == ""


def test_bottom_includes_ties():
    ranks = {1: 1, 2: 2, 3: 3, 4: 3, 5: 5, 6: None}
    assert bottom_set(ranks, 1) == {5}
    assert bottom_set(ranks, 2) == {3, 4, 5}
    assert bottom_set(ranks, 0) == set()
    assert bottom_set(ranks, 10) == {2, 3, 4, 5}
    assert bottom_set({1: 1, 2: 1, 3: 1}, 2) == set()  # all tied: nobody at the bottom


def test_rules_validate_and_round_trip():
    with pytest.raises(EngineInputError, match="unknown weight"):
        Rules(weights={"speed": 1})
    with pytest.raises(EngineInputError, match="at least one"):
        Rules(weights={"plan_rate": 0})
    rules = Rules(weights={"plan_rate": 1}, bottom_n=2)
    assert Rules.from_json(rules.as_json()) == rules


def test_escalation_path():
    behind = MonthSignal(behind=True)
    good = MonthSignal()
    levels = [s.level for s in replay([behind, behind, behind, good, good, behind])]
    assert levels == ["notice", "warning", "red", "made_up", "none", "notice"]
    assert step(State(), MonthSignal(overdue=True)).level == Level.RED
    assert step(State(Level.RED, 1), MonthSignal(bottom=True)).level == Level.RED


@relaxed
@given(st.lists(signals, max_size=24))
def test_never_straight_from_open_to_none(history):
    previous = State()
    for state in replay(history):
        if previous.level in OPEN_LEVELS:
            assert state.level != Level.NONE
        if state.level == Level.NONE:
            assert previous.level in (Level.NONE, Level.MADE_UP)
        previous = state


@relaxed
@given(st.lists(signals, max_size=24), st.integers(0, 24))
def test_history_replays(history, cut):
    """Replaying the first months and then the rest from the state reached is the same as
    replaying everything: a stored level plus the later months gives the same record."""
    whole = replay(history)
    head = replay(history[:cut])
    tail = replay(history[cut:], start=head[-1] if head else None)
    assert head + tail == whole


@relaxed
@given(st.lists(signals, min_size=1, max_size=24))
def test_flagged_months_escalate_and_overdue_is_red(history):
    for signal, state in zip(history, replay(history), strict=True):
        assert (state.level in OPEN_LEVELS) == signal.flagged
        if signal.overdue:
            assert state.level == Level.RED
        if state.streak >= 3:
            assert state.level == Level.RED
