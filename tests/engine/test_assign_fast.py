"""The fast assignment path against references: same optimum, feasible, never a conflict.

References: the full min-cost flow as shipped before (``_flow_solution`` on every eligible pair,
no exchange search), the LP relaxation solved by HiGHS, and conflicts recomputed here from the
paths with plain Python. The fast path is forced on small random instances with a tiny sample
and few candidates per unit, so the pruning really drops pairs and the exchange search has to
bring them back.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shidian.engine.assignment import (
    assign_experts,
    build_problem,
    eligibility,
    exact,
    lp_bound,
    solve,
)
from shidian.engine.errors import InfeasibleError


@contextmanager
def _pruning(sample: int, keep: int):
    saved = solve.SAMPLE_UNITS, solve.KEEP_PER_UNIT
    solve.SAMPLE_UNITS, solve.KEEP_PER_UNIT = sample, keep
    try:
        yield
    finally:
        solve.SAMPLE_UNITS, solve.KEEP_PER_UNIT = saved


def _instance(rng, n_units, n_experts, n_counties, integer):
    county = rng.integers(1, n_counties + 1, n_units)
    units = pd.DataFrame(
        {
            "id": [f"S{i}" for i in range(n_units)],
            "path": [f"00001{c:05d}{i + 1:05d}" for i, c in enumerate(county)],
            "type": rng.choice(["小学", "初中", "高中"], n_units),
        }
    )
    kind = rng.integers(0, 4, n_experts)  # 0 province, 1 county, 2 a school, 3 outside
    orgs, paths = [], []
    for k in kind:
        if k == 0:
            orgs.append("P"), paths.append("00001")
        elif k == 1:
            c = int(rng.integers(1, n_counties + 1))
            orgs.append(f"C{c}"), paths.append(f"00001{c:05d}")
        elif k == 2:
            i = int(rng.integers(0, n_units))
            orgs.append(units["id"][i]), paths.append(units["path"][i])
        else:
            o = int(rng.integers(0, 3))
            orgs.append(f"X{o}"), paths.append(f"00002{o:05d}")
    experts = pd.DataFrame(
        {
            "id": [f"E{j}" for j in range(n_experts)],
            "org": orgs,
            "org_path": paths,
            "expertise": rng.choice(["小学", "初中", "高中", "小学;初中"], n_experts),
        }
    )
    problem = build_problem(units, experts, per_unit=1, match=[("type", "expertise")])
    noise = (
        rng.integers(0, 3, problem.affinity.shape)
        if integer
        else rng.random(problem.affinity.shape)
    )
    return units, experts, problem.affinity + noise


def _conflicts(units, experts):
    """(unit, expert) pairs in conflict, from the paths: one a prefix of the other."""
    out = set()
    for u, up in zip(units["id"], units["path"], strict=True):
        for e, ep in zip(experts["id"], experts["org_path"], strict=True):
            if up.startswith(ep) or ep.startswith(up):
                out.add((u, e))
    return out


def _assert_feasible(problem, result, conflicts):
    pairs = result.pairs
    assert len(pairs) == len(problem.unit_ids) * problem.per_unit
    assert (pairs.groupby("unit").size() == problem.per_unit).all()
    assert not pairs.duplicated(["unit", "expert"]).any()
    assert not pairs.duplicated(["unit", "expert_org"]).any()
    assert not conflicts & set(zip(pairs["unit"], pairs["expert"], strict=True))
    load = result.loads["load"].to_numpy()
    assert (load >= problem.min_load).all() and (load <= problem.max_load).all()
    assert result.total_affinity == pytest.approx(pairs["affinity"].sum(), abs=1e-9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_units=st.integers(4, 40),
    n_experts=st.integers(4, 16),
    n_counties=st.integers(2, 6),
    r=st.integers(1, 3),
    seed=st.integers(0, 100_000),
    slack=st.sampled_from([None, 2, 4]),
    integer=st.booleans(),
    keep=st.integers(1, 6),
    sample=st.integers(1, 8),
    tie_seed=st.sampled_from([None, 5]),
)
def test_property_fast_path_matches_the_references(
    n_units, n_experts, n_counties, r, seed, slack, integer, keep, sample, tie_seed
):
    rng = np.random.default_rng(seed)
    units, experts, aff = _instance(rng, n_units, n_experts, n_counties, integer)
    total = n_units * r
    kw = {}
    if slack is not None:
        kw = {"min_load": max(0, total // n_experts - slack), "max_load": -(-total // n_experts)}
        kw["max_load"] += slack
    problem = build_problem(units, experts, per_unit=r, **kw)
    problem.affinity[:] = aff
    conflicts = _conflicts(units, experts)
    ok = eligibility(problem)
    org = solve._org_codes(problem)
    try:
        solve._check_counts(problem, ok, org)
        reference = solve._flow_solution(problem, ok, org, None, explain=True)
    except InfeasibleError:
        reference = None
    with _pruning(sample, keep):
        try:
            fast = assign_experts(problem, seed=tie_seed, sparse=True)
        except InfeasibleError as exc:
            assert reference is None  # infeasible exactly when the full flow is
            assert exc.relaxations
            return
    assert reference is not None
    _assert_feasible(problem, fast, conflicts)
    ref_total = float(problem.affinity[np.arange(n_units)[:, None], reference].sum())
    highs = lp_bound(problem, method="highs")
    scale = max(1.0, float(np.abs(problem.affinity).max()))
    # the full flow is optimal up to cost rounding; the fast path is exact
    assert fast.total_affinity >= ref_total - 1e-9 * scale * total
    assert fast.total_affinity == pytest.approx(highs, rel=1e-9, abs=1e-9)
    assert fast.gap <= 1e-12 and fast.bound == pytest.approx(highs, rel=1e-9, abs=1e-9)
    assert not fast.notes
    # the default path (full network, then exchanges) reaches the same optimum
    default = assign_experts(problem, seed=tie_seed, sparse=False)
    _assert_feasible(problem, default, conflicts)
    assert default.total_affinity == pytest.approx(fast.total_affinity, rel=1e-12, abs=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_units=st.integers(3, 25),
    n_experts=st.integers(4, 12),
    r=st.integers(1, 3),
    seed=st.integers(0, 100_000),
    price_scale=st.sampled_from([0.1, 1.0, 5.0]),
)
def test_property_dual_bound_is_an_upper_bound_for_any_prices(
    n_units, n_experts, r, seed, price_scale
):
    rng = np.random.default_rng(seed)
    units, experts, aff = _instance(rng, n_units, n_experts, 3, False)
    problem = build_problem(units, experts, per_unit=r, min_load=0, max_load=n_units)
    problem.affinity[:] = aff
    try:
        highs = lp_bound(problem, method="highs")
    except InfeasibleError:
        return
    ok = eligibility(problem)
    org = solve._org_codes(problem)
    prices = rng.normal(0, price_scale, n_experts)
    assert exact.dual_bound(problem, ok, org, prices) >= highs - 1e-7 * max(1.0, abs(highs))


def test_bench_sized_instance_is_certified():
    """A province-like instance large enough for the pruned path by default."""
    rng = np.random.default_rng(11)
    n, m = 3_200, 120
    county = rng.integers(1, 40, n)
    units = pd.DataFrame(
        {
            "id": [f"S{i}" for i in range(n)],
            "path": [f"00001{c:05d}{i:05d}" for i, c in enumerate(county)],
        }
    )
    e_county = rng.integers(0, 40, m)
    experts = pd.DataFrame(
        {
            "id": [f"E{j}" for j in range(m)],
            "org": [f"C{c}" for c in e_county],
            "org_path": ["0000199999" if c == 0 else f"00001{c:05d}" for c in e_county],
        }
    )
    problem = build_problem(units, experts, per_unit=3)
    problem.affinity[:] = rng.random(problem.affinity.shape)
    fast = assign_experts(problem)
    assert fast.gap <= 1e-12 and not fast.notes
    _assert_feasible(problem, fast, _conflicts(units, experts))
    full = assign_experts(problem, sparse=False)
    assert full.total_affinity == pytest.approx(fast.total_affinity, rel=1e-12)


def test_differences_below_the_cost_rounding_still_count():
    """Affinities equal once rounded to integer costs: the exchange search picks the better."""
    units = pd.DataFrame({"id": ["U1", "U2"]})
    experts = pd.DataFrame({"id": ["E1", "E2"], "org": ["A", "B"]})
    problem = build_problem(units, experts, per_unit=1, min_load=1, max_load=1)
    problem.affinity[:] = [[1.0, 1.0 + 3e-7], [1.0 + 4e-7, 1.0]]  # 1e-5 resolution: all tied
    result = assign_experts(problem)
    assert dict(zip(result.pairs["unit"], result.pairs["expert"], strict=True)) == {
        "U1": "E2",
        "U2": "E1",
    }
    assert result.gap == 0.0
    assert lp_bound(problem) == pytest.approx(lp_bound(problem, method="highs"), abs=1e-12)


def test_lp_bound_rejects_an_unknown_method():
    units = pd.DataFrame({"id": ["U1"]})
    experts = pd.DataFrame({"id": ["E1"], "org": ["A"]})
    with pytest.raises(ValueError, match="'dual' or 'highs'"):
        lp_bound(build_problem(units, experts, per_unit=1), method="simplex")
