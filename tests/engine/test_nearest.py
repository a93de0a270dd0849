"""Capacitated nearest assignment with a distance limit (engine/assignment/nearest.py): every
school within max_km of its lead, no lead over max_load, the total distance minimal (against
the Hungarian method on the expanded matrix), and a refusal exactly when no assignment exists,
naming a true Hall violation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from shidian.engine.assignment.nearest import distances_km, pair_nearest
from shidian.engine.errors import EngineInputError, InfeasibleError

point = st.tuples(
    st.floats(min_value=30.0, max_value=30.3, allow_nan=False),
    st.floats(min_value=120.0, max_value=120.3, allow_nan=False),
)


def oracle(schools, leads, max_km, max_load):
    """Minimal total km by linear_sum_assignment, or None when infeasible."""
    d = distances_km(np.asarray(schools, float), np.asarray(leads, float))
    big = 1e6
    cost = np.where(d <= max_km, d, big)
    expanded = np.repeat(cost, max_load, axis=1)
    if expanded.shape[1] < expanded.shape[0]:
        return None
    r, c = linear_sum_assignment(expanded)
    total = expanded[r, c].sum()
    return None if total >= big else float(total)


@settings(max_examples=150, deadline=None)
@given(
    schools=st.lists(point, min_size=1, max_size=9),
    leads=st.lists(point, min_size=1, max_size=4),
    max_km=st.floats(min_value=2.0, max_value=40.0),
    max_load=st.integers(min_value=1, max_value=4),
)
def test_matches_the_oracle(schools, leads, max_km, max_load):
    best = oracle(schools, leads, max_km, max_load)
    try:
        got = pair_nearest(schools, leads, max_km=max_km, max_load=max_load)
    except InfeasibleError as err:
        assert best is None, err.message
        assert err.code in {"pairing_out_of_reach", "pairing_capacity", "pairing_crowded"}
        d = distances_km(np.asarray(schools, float), np.asarray(leads, float))
        if err.code == "pairing_out_of_reach":
            for i in err.params["schools"]:
                assert (d[i] > max_km).all()
        if err.code == "pairing_crowded":  # a Hall violation: these schools cannot all fit
            hall = err.params["schools"]
            reach = {j for i in hall for j in np.flatnonzero(d[i] <= max_km)}
            assert reach <= set(err.params["leads"])
            assert len(hall) > len(err.params["leads"]) * max_load == err.params["have"]
        return
    assert best is not None
    assert got.total_km == pytest.approx(best, abs=1e-6)
    assert all(km <= max_km + 1e-9 for km in got.km)
    assert max(got.loads) <= max_load and sum(got.loads) == len(schools)


@settings(max_examples=100, deadline=None)
@given(
    schools=st.lists(point, min_size=1, max_size=8),
    leads=st.lists(st.tuples(point, st.integers(min_value=0, max_value=4)), min_size=1, max_size=4),
    max_km=st.floats(min_value=2.0, max_value=40.0),
    max_load=st.integers(min_value=1, max_value=3),
)
def test_places_used_elsewhere_count(schools, leads, max_km, max_load):
    """With ``used``, lead j holds max_load - used[j] more (the oracle repeats each column by
    its free places); a Hall refusal counts free places only."""
    points = [p for p, _ in leads]
    used = [u for _, u in leads]
    free = [max(max_load - u, 0) for u in used]
    d = distances_km(np.asarray(schools, float), np.asarray(points, float))
    big = 1e6
    expanded = np.repeat(np.where(d <= max_km, d, big), free, axis=1)
    best = None
    if expanded.shape[1] >= expanded.shape[0]:
        r, c = linear_sum_assignment(expanded)
        total = float(expanded[r, c].sum())
        best = None if total >= big else total
    try:
        got = pair_nearest(schools, points, max_km=max_km, max_load=max_load, used=used)
    except InfeasibleError as err:
        assert best is None, err.message
        if err.code == "pairing_crowded":
            hall = err.params["schools"]
            reach = {j for i in hall for j in np.flatnonzero(d[i] <= max_km)}
            assert reach <= set(err.params["leads"])
            have = sum(free[j] for j in err.params["leads"])
            assert len(hall) > have == err.params["have"]
        if err.code == "pairing_capacity":
            assert err.params["have"] == sum(free)
        return
    assert best is not None and got.total_km == pytest.approx(best, abs=1e-6)
    assert all(got.loads[j] <= free[j] for j in range(len(points)))


def test_a_full_lead_takes_nobody():
    # lead 0 is next door but already leads two elsewhere: the school goes to lead 1
    got = pair_nearest([(30, 120)], [(30, 120), (30.05, 120)], max_km=10, max_load=2, used=[2, 0])
    assert got.lead == (1,) and got.loads == (0, 1)
    with pytest.raises(InfeasibleError) as exc:
        pair_nearest([(30, 120)], [(30, 120), (31, 120)], max_km=10, max_load=2, used=[3, 0])
    assert exc.value.code == "pairing_crowded"
    assert exc.value.params == {"schools": [0], "leads": [0], "have": 0}
    with pytest.raises(EngineInputError):
        pair_nearest([(30, 120)], [(30, 120)], max_km=10, max_load=2, used=[1, 1])


def test_names_the_schools_out_of_reach():
    with pytest.raises(InfeasibleError) as exc:
        pair_nearest([(30, 120), (31, 120)], [(30, 120.01)], max_km=10, max_load=5)
    assert exc.value.code == "pairing_out_of_reach"
    assert exc.value.params["schools"] == [1] and exc.value.params["nearest_km"][0] > 100


def test_capacity_and_crowding():
    with pytest.raises(InfeasibleError) as exc:
        pair_nearest([(30, 120)] * 5, [(30, 120), (30.01, 120)], max_km=10, max_load=2)
    assert exc.value.params == {"need": 5, "have": 4}
    # four schools near lead 0, one lead 1 far away with room: crowded around lead 0
    schools = [(30, 120)] * 3 + [(31, 120)]
    with pytest.raises(InfeasibleError) as exc:
        pair_nearest(schools, [(30, 120), (31, 120)], max_km=10, max_load=2)
    assert exc.value.code == "pairing_crowded"
    assert exc.value.params == {"schools": [0, 1, 2], "leads": [0], "have": 2}


def test_bad_input():
    for kwargs in ({"max_km": 0, "max_load": 1}, {"max_km": 5, "max_load": 0}):
        with pytest.raises(EngineInputError):
            pair_nearest([(30, 120)], [(30, 120)], **kwargs)
    with pytest.raises(EngineInputError):
        pair_nearest([(float("nan"), 120)], [(30, 120)], max_km=5, max_load=1)
    with pytest.raises(InfeasibleError) as exc:
        pair_nearest([(30, 120)], [], max_km=5, max_load=1)
    assert exc.value.code == "pairing_no_leads"
    assert pair_nearest([], [(30, 120)], max_km=5, max_load=1).loads == (0,)


def test_a_province_sized_input_is_quick():
    import time

    rng = np.random.default_rng(1)
    schools = np.c_[rng.uniform(30, 32, 2000), rng.uniform(118, 120, 2000)]
    leads = np.c_[rng.uniform(30, 32, 80), rng.uniform(118, 120, 80)]
    start = time.perf_counter()
    got = pair_nearest(schools, leads, max_km=120, max_load=40)
    assert time.perf_counter() - start < 20
    assert max(got.loads) <= 40
