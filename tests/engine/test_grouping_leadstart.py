"""The lead-and-distance start (leadstart.py) and the batched search (batched.py) at scale."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shidian.engine.errors import InfeasibleError
from shidian.engine.grouping import GroupingSpec, group_items
from shidian.engine.grouping.leadstart import StartFailed, distance_start
from shidian.engine.grouping.prepare import build_problem, haversine_km
from shidian.engine.grouping.start import MILP_START_LIMIT, start_partition


def clustered(n, k, *, seed=0, spread=0.03, area=1.0, extra_leads=0, **kw):
    """n schools in k towns (each lead's town within ~10 km of it), as the bench lays them out."""
    rng = np.random.default_rng(seed)
    centres = np.column_stack([28 + rng.random(k) * area, 112 + rng.random(k) * area])
    home = np.arange(n) % k
    coords = centres[home] + rng.normal(scale=spread, size=(n, 2))
    lead = np.zeros(n, dtype=bool)
    lead[: k + extra_leads] = True
    args = {
        "features": rng.normal(size=(n, 3)),
        "n_groups": k,
        "lead_candidates": lead,
        "coords": coords,
        "max_km": 30.0,
        "seed": seed,
    }
    args.update(kw)
    return GroupingSpec(**args)


def km_to_lead(spec, labels, leads):
    c = np.asarray(spec.coords)
    lead = leads[labels]
    return haversine_km(c[:, 0], c[:, 1], c[lead, 0], c[lead, 1])


def check(spec, labels, leads):
    n, k = len(spec.features), spec.n_groups
    assert labels.shape == (n,) and labels.min() >= 0 and labels.max() < k
    assert spec.lead_candidates[leads].all()
    assert sorted(labels[leads].tolist()) == list(range(k))
    assert km_to_lead(spec, labels, leads).max() <= spec.max_km + 1e-6
    sizes = np.bincount(labels, minlength=k)
    lo = spec.size_min if spec.size_min is not None else n // k
    hi = spec.size_max if spec.size_max is not None else -(-n // k)
    assert sizes.min() >= lo and sizes.max() <= hi
    for a, b in spec.apart:
        assert labels[a] != labels[b]
    for a, b in spec.together:
        assert labels[a] == labels[b]
    if spec.fixed is not None:
        idx = np.flatnonzero(spec.fixed >= 0)
        assert np.array_equal(labels[idx], spec.fixed[idx])


def test_start_keeps_distance_sizes_and_pairs():
    spec = clustered(
        900,
        12,
        area=0.15,  # overlapping towns: apart pairs of one town can be split
        size_min=40,
        size_max=110,
        apart=[(20, 32), (21, 33)],
        together=[(40, 52)],
    )
    p = build_problem(spec)
    labels, leads = distance_start(p, np.random.default_rng(0))
    check(spec, labels, leads)


def test_more_possible_leads_than_groups_covers_everyone():
    # 24 towns, 12 groups: the leads must be chosen so that every school has one within reach
    rng = np.random.default_rng(3)
    n, towns, k = 960, 24, 12
    centres = np.column_stack([28 + np.arange(towns) * 0.2, 112 + np.zeros(towns)])
    coords = centres[np.arange(n) % towns] + rng.normal(scale=0.01, size=(n, 2))
    lead = np.zeros(n, dtype=bool)
    lead[:towns] = True  # one possible lead per town; towns 0.2 degrees (22 km) apart
    spec = GroupingSpec(
        features=rng.normal(size=(n, 2)),
        n_groups=k,
        lead_candidates=lead,
        coords=coords,
        max_km=30.0,
        size_min=20,
        size_max=200,
    )
    labels, leads = distance_start(build_problem(spec), np.random.default_rng(0))
    check(spec, labels, leads)


def test_large_input_with_distance_is_no_longer_refused():
    spec = clustered(5200, 80, size_min=40, size_max=140, categories=np.arange(5200)[:, None] % 3)
    assert MILP_START_LIMIT < 5200 * 80
    res = group_items(spec)
    check(spec, res.labels, res.leads)
    assert res.value >= res.start_value
    random = np.random.default_rng(1).permutation(np.arange(5200) % 80)
    x = spec.features
    worst_random = max(np.abs(x[random == g].mean(0)).max() for g in range(80)) / x.std(0).min()
    assert max(f.max_deviation_sd for f in res.features) < worst_random


def test_sizes_out_of_reach_name_the_distance():
    # 400 schools and lead 0 far away from everyone else; a community holds at most 140
    spec = clustered(5200, 80, size_min=40, size_max=140)
    coords = np.array(spec.coords)
    coords[80:480] = coords[0] = (40.0, 100.0)
    spec.coords = coords
    with pytest.raises(InfeasibleError, match="distance to the lead"):
        group_items(spec)


def test_start_failure_names_the_families():
    spec = clustered(300, 3, size_min=10, size_max=110)
    towns = np.array([[40.0, 100.0], [30.0, 110.0], [20.0, 120.0]])
    spec.coords = towns[np.r_[0, 1, 2, np.zeros(197, int), np.ones(50, int), np.full(50, 2)]]
    p = build_problem(spec)
    with pytest.raises(StartFailed) as failed:
        distance_start(p, np.random.default_rng(0))
    assert failed.value.families == ("max_km", "sizes")
    with pytest.raises(InfeasibleError):  # small: the MILP confirms and names the constraints
        start_partition(p, np.random.default_rng(0), 10.0)


def test_batched_search_keeps_every_constraint_at_scale():
    n, k = 2600, 26
    rng = np.random.default_rng(5)
    fixed = np.full(n, -1)
    fixed[100] = int(np.arange(n)[100] % k)  # fixed to its own town's group
    spec = clustered(
        n,
        k,
        seed=5,
        area=0.15,  # towns overlap: several leads within reach of most schools
        size_min=80,
        size_max=120,
        apart=[(int(a), int(a + k)) for a in rng.choice(n - k, 60, replace=False)],
        together=[(200, 200 + k), (201, 201 + k)],
        categories=np.column_stack([np.arange(n) % 2, (np.arange(n) // 7) % 3]),
    )
    res = group_items(spec)
    # the fixed school's group is the one it was fixed to, whatever the leads' order
    spec.fixed = None
    check(spec, res.labels, res.leads)
    assert res.all_constraints_hold, res.constraints


@st.composite
def town_problems(draw):
    k = draw(st.integers(2, 8))
    n = draw(st.integers(k * 6, k * 40))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    area = draw(st.sampled_from([0.05, 0.3, 1.0]))
    extra = draw(st.integers(0, k))
    size_min = draw(st.sampled_from([None, 1, 3]))
    kw = {}
    if size_min is not None:
        kw = {"size_min": size_min, "size_max": n}
    pairs = {tuple(sorted(rng.choice(n, 2, replace=False))) for _ in range(n // 10)}
    kw["apart"] = sorted((int(a), int(b)) for a, b in pairs)
    return clustered(n, k, seed=seed, area=area, extra_leads=extra, **kw)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(town_problems())
def test_property_start_meets_distance_sizes_and_apart(spec):
    try:
        p = build_problem(spec)
        labels, leads = distance_start(p, np.random.default_rng(spec.seed))
    except (StartFailed, InfeasibleError):
        return  # a lead out of reach or sizes that cannot hold: named, never a broken start
    check(spec, labels, leads)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(st.integers(0, 1000), st.sampled_from([0.05, 0.2]))
def test_property_batched_search_keeps_distance(seed, area):
    spec = clustered(2100, 21, seed=seed, area=area, size_min=60, size_max=140)
    try:
        res = group_items(spec)
    except InfeasibleError:
        return
    check(spec, res.labels, res.leads)
    assert res.value >= res.start_value - 1e-9 * abs(res.start_value)
