"""Fairness of the host rotation (engine/rotation)."""

from hypothesis import given
from hypothesis import strategies as st

from shidian.engine.rotation import Member, propose_hosts

members_st = st.lists(
    st.builds(
        Member,
        id=st.integers(1, 40),
        lat=st.floats(30, 31, allow_nan=False),
        lon=st.floats(114, 115, allow_nan=False),
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda m: m.id,
)


@given(members_st, st.data(), st.integers(1, 12))
def test_nobody_hosts_twice_before_everyone_once(members, data, n):
    ids = [m.id for m in members]
    history = data.draw(st.lists(st.sampled_from(ids), max_size=10))
    picks = propose_hosts(members, history, n)
    assert len(picks) == n
    counts = {i: history.count(i) for i in ids}
    for p in picks:
        assert counts[p] == min(counts.values())
        counts[p] += 1


@given(members_st, st.data(), st.integers(1, 6))
def test_deterministic_and_order_free(members, data, n):
    ids = [m.id for m in members]
    history = data.draw(st.lists(st.sampled_from(ids), max_size=10))
    assert propose_hosts(members, history, n) == propose_hosts(members[::-1], history, n)


@given(members_st, st.integers(1, 6))
def test_fresh_community_everyone_once(members, n):
    picks = propose_hosts(members, [], n)
    assert len(set(picks)) == min(n, len(members)) or len(members) < n


def test_longest_since_last_hosting_wins_ties():
    ms = [Member(1), Member(2), Member(3)]
    assert propose_hosts(ms, [2, 1, 3], 1) == [2]


def test_central_member_preferred():
    ms = [Member(1, 30.0, 114.0), Member(2, 30.1, 114.1), Member(3, 30.2, 114.2)]
    assert propose_hosts(ms, [], 1) == [2]


def test_foreign_hosts_ignored_and_zero():
    assert propose_hosts([Member(1)], [99], 0) == []
    assert propose_hosts([Member(1)], [99], 2) == [1, 1]
