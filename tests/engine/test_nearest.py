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
