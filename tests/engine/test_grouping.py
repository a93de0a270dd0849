"""Grouping engine: known answers (brute force, the MILP, the published benchmark) and errors."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from shidian.engine.errors import EngineInputError, InfeasibleError
from shidian.engine.grouping import GroupingSpec, group_items
from shidian.engine.grouping.objectives import diversity_value, variance_value
from shidian.engine.grouping.prepare import haversine_km, standardize

DATA = Path(__file__).resolve().parent / "data"


def brute_force(x: np.ndarray, k: int, value) -> float:
    """Best objective over every partition into k equal groups (labels canonical)."""
    n = len(x)
    size = n // k
    best = -np.inf

    def rec(labels, remaining, g):
        nonlocal best
        if g == k - 1:
            labels = labels.copy()
            labels[list(remaining)] = g
            best = max(best, value(x, labels, k))
            return
        first = min(remaining)
        for rest in itertools.combinations(sorted(remaining - {first}), size - 1):
            chosen = {first, *rest}
            labels = labels.copy()
            labels[list(chosen)] = g
            rec(labels, remaining - chosen, g + 1)

    rec(np.zeros(n, dtype=int), set(range(n)), 0)
    return best


@pytest.mark.parametrize(
    ("n", "k", "objective"),
    [(8, 2, "diversity"), (9, 3, "diversity"), (9, 3, "variance"), (10, 2, "variance")],
)
def test_heuristic_and_milp_reach_brute_force_optimum(n, k, objective):
    x = np.random.default_rng(n * k).normal(size=(n, 3))
    z = standardize(x)
    value = diversity_value if objective == "diversity" else variance_value
    optimum = brute_force(z, k, value)
    heuristic = group_items(GroupingSpec(features=x, n_groups=k, objective=objective, seed=3))
    exact = group_items(GroupingSpec(features=x, n_groups=k, objective=objective, method="exact"))
    assert heuristic.value == pytest.approx(optimum, rel=1e-9)
    assert exact.value == pytest.approx(optimum, rel=1e-6)
    assert exact.optimal is True


def test_objective_matches_published_ilp_optimum():
    """The benchmark's dist_obj is the sum of within-group Euclidean distances on raw data.

    Two K=2 data sets (N <= 12) and their proven optima ("ilp-exact") copied from the published
    benchmark of Papenberg & Klau (2021), ../shared/benchmarks/anticlust-2021.
    """
    import io
    import json

    cases = json.loads((DATA / "anticlust2021_ilp_k2.json").read_text(encoding="utf-8"))
    assert len(cases) == 2
    for case in cases.values():
        x = np.loadtxt(io.StringIO(case["csv"]), delimiter=",", skiprows=1, ndmin=2)
        spec = GroupingSpec(features=x, n_groups=2, standardize=False)
        assert group_items(spec).value == pytest.approx(case["dist_obj"], rel=1e-9)


def test_categories_balanced_and_groups_alike():
    rng = np.random.default_rng(0)
    n = 90
    x = rng.normal(size=(n, 2))
    cats = np.column_stack([rng.integers(0, 3, n), rng.integers(0, 2, n)])
    res = group_items(GroupingSpec(features=x, n_groups=6, categories=cats, seed=1))
    assert res.all_constraints_hold, res.constraints
    assert all(c.holds for c in res.categories)
    assert max(f.max_deviation_sd for f in res.features) < 0.2


def test_size_bounds_use_moves():
    x = np.random.default_rng(1).normal(size=(23, 2))
    res = group_items(GroupingSpec(features=x, n_groups=4, size_min=5, size_max=7, seed=2))
    assert all(5 <= s <= 7 for s in res.sizes) and sum(res.sizes) == 23
    res = group_items(
        GroupingSpec(features=x, n_groups=4, size_min=4, size_max=8, objective="variance", seed=2)
    )
    assert all(4 <= s <= 8 for s in res.sizes)
    assert res.value >= res.start_value - 1e-9


def test_leads_and_distance_and_pairs():
    rng = np.random.default_rng(5)
    n = 40
    coords = np.column_stack([30 + rng.random(n) * 0.4, 110 + rng.random(n) * 0.4])
    lead = np.zeros(n, dtype=bool)
    lead[:8] = True
    spec = GroupingSpec(
        features=rng.normal(size=(n, 2)),
        n_groups=4,
        lead_candidates=lead,
        coords=coords,
        max_km=45,
        apart=[(10, 11), (12, 13)],
        together=[(20, 21), (21, 22)],
        fixed=np.r_[np.full(30, -1), [2], np.full(9, -1)],
        seed=4,
    )
    res = group_items(spec)
    assert res.all_constraints_hold, res.constraints
    assert len({res.labels[20], res.labels[21], res.labels[22]}) == 1
    assert res.labels[30] == 2
    lead_of = res.leads[res.labels]
    km = haversine_km(coords[:, 0], coords[:, 1], coords[lead_of, 0], coords[lead_of, 1])
    assert km.max() <= 45
    assert sorted(res.labels[res.leads]) == [0, 1, 2, 3]


def test_large_input_uses_neighbour_partners():
    x = np.random.default_rng(2).normal(size=(2400, 5))
    for objective in ("variance", "diversity"):
        res = group_items(GroupingSpec(features=x, n_groups=120, objective=objective, seed=1))
        assert res.value > res.start_value
        assert set(res.sizes) == {20}
        assert any("nearest neighbours" in note for note in res.notes)


def test_kplus_balances_spread():
    x = np.random.default_rng(3).normal(size=(60, 2))
    res = group_items(GroupingSpec(features=x, n_groups=3, objective="kplus", seed=1))
    sds = [x[res.labels == g, 0].std() for g in range(3)]
    assert max(sds) - min(sds) < 0.2
    assert res.value >= res.start_value


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_groups": 11}, "need at least 11 items"),
        ({"n_groups": 3, "size_min": 4}, "at least 4 need 12"),
        ({"n_groups": 2, "lead_candidates": np.r_[True, np.zeros(9, bool)]}, "only 1 are marked"),
        ({"n_groups": 2, "together": [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]}, "holds at most 5"),
        ({"n_groups": 2, "together": [(0, 1)], "apart": [(0, 1)]}, "must be apart"),
        ({"n_groups": 2, "max_km": 5.0}, "needs latitude"),
        ({"n_groups": 2, "objective": "median"}, "--objective"),
    ],
)
def test_bad_input_names_the_problem(kwargs, message):
    x = np.arange(20, dtype=float).reshape(10, 2)
    with pytest.raises(EngineInputError, match=message):
        group_items(GroupingSpec(features=x, **kwargs))


def test_conflicting_constraints_are_named():
    x = np.random.default_rng(0).normal(size=(9, 2))
    clique = [(a, b) for a, b in itertools.combinations(range(4), 2)]  # 4 mutually apart, 3 groups
    with pytest.raises(InfeasibleError, match="apart pairs") as info:
        group_items(GroupingSpec(features=x, n_groups=3, apart=clique))
    assert any("apart" in r for r in info.value.relaxations)


def test_two_categorical_columns_on_a_large_input_are_repaired():
    """Too large for the MILP start: the greedy start's counts are repaired by swaps."""
    rng = np.random.default_rng(4)
    n = 3000
    cats = np.column_stack([rng.integers(0, 2, n), rng.integers(0, 3, n)])
    res = group_items(
        GroupingSpec(features=rng.normal(size=(n, 2)), n_groups=500, categories=cats, seed=1,
                     objective="variance")
    )  # fmt: skip
    assert all(c.holds for c in res.categories), [c.name for c in res.categories if not c.holds]
    assert res.all_constraints_hold
