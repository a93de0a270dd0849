"""Property tests: matching never pairs outside the caliper or across an exact-match attribute,
never reuses a control without replacement, and the fast algorithms equal naive references."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from shidian.engine.matching import MatchSpec, match_controls
from shidian.engine.matching.design import build_design
from shidian.engine.matching.distance import propensity_logit
from shidian.engine.matching.greedy import greedy_1d
from shidian.engine.matching.optimal import optimal_match


@st.composite
def datasets(draw):
    n_t = draw(st.integers(1, 12))
    n_c = draw(st.integers(1, 30))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    n = n_t + n_c
    treated = np.r_[np.ones(n_t, int), np.zeros(n_c, int)]
    frame = pd.DataFrame(
        {
            "id": [f"u{i}" for i in range(n)],
            "t": treated,
            "x1": rng.normal(size=n) + treated * draw(st.floats(0, 2)),
            "x2": rng.integers(0, 5, n),
            "zone": rng.choice(["东", "西", "南"][: draw(st.integers(1, 3))], n),
        }
    )
    return frame.sample(frac=1, random_state=seed).reset_index(drop=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    datasets(),
    st.sampled_from([0.05, 0.2, 1.0, None]),
    st.sampled_from(["propensity", "mahalanobis"]),
    st.sampled_from(["greedy", "optimal", "replace"]),
    st.integers(1, 3),
    st.booleans(),
)
def test_pairs_respect_caliper_exact_and_replacement(frame, caliper, method, kind, ratio, exact):
    spec = MatchSpec(
        treated="t",
        covariates=("x1", "x2"),
        id_column="id",
        exact=("zone",) if exact else (),
        ratio=ratio,
        caliper=caliper,
        method=method,
        optimal=kind == "optimal",
        replace=kind == "replace",
    )
    result = match_controls(frame, spec)
    design = build_design(frame, "t", ("x1", "x2"), ())
    logit = dict(zip(frame.id, propensity_logit(design.matrix, design.treated), strict=True))
    zone = dict(zip(frame.id, frame.zone, strict=True))
    treated_ids = set(frame.id[frame.t == 1])
    per_treated: dict[str, list[str]] = {}
    for pair in result.pairs:
        assert pair.treated_id in treated_ids and pair.control_id not in treated_ids
        if caliper is not None:
            assert abs(logit[pair.treated_id] - logit[pair.control_id]) <= (
                result.caliper_logit + 1e-9
            )
        if exact:
            assert zone[pair.treated_id] == zone[pair.control_id]
        per_treated.setdefault(pair.treated_id, []).append(pair.control_id)
    controls = [p.control_id for p in result.pairs]
    if kind != "replace":
        assert len(controls) == len(set(controls)), "a control was used twice"
    for chosen in per_treated.values():
        assert 1 <= len(chosen) <= ratio and len(chosen) == len(set(chosen))
    assert result.n_matched_treated + len(result.unmatched_treated) == result.n_treated
    matched = result.matched
    assert not matched.drop(columns=["distance"]).isna().any().any()
    sums = matched[matched.role == "control"].groupby("pair_id").weight.sum()
    assert np.allclose(sums, 1.0)
    for row in result.balance:
        for value in (row.smd_before, row.smd_after, row.ecdf_max_before, row.ecdf_max_after):
            assert np.isfinite(value)


def naive_greedy(t, c, ratio, caliper):
    used = np.zeros(len(c), bool)
    out = []
    for i in range(len(t)):
        for _ in range(ratio):
            if used.all():
                break
            d = np.where(used, np.inf, np.abs(c - t[i]))
            j = int(np.argmin(d))
            if not d[j] <= caliper:
                break
            used[j] = True
            out.append((i, j))
    return out


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 20), st.integers(1, 60), st.integers(1, 3))
def test_union_find_greedy_equals_naive_greedy(seed, n_t, n_c, ratio):
    rng = np.random.default_rng(seed)
    t, c = rng.normal(size=n_t), rng.normal(size=n_c)
    caliper = float(rng.choice([0.05, 0.3, np.inf]))
    fast = greedy_1d(t, c, np.arange(n_t), ratio=ratio, caliper=caliper)
    assert [(a, b) for a, b, _ in fast] == naive_greedy(t, c, ratio, caliper)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 8), st.integers(1, 15))
def test_optimal_equals_dense_linear_sum_assignment(seed, n_t, n_c):
    rng = np.random.default_rng(seed)
    t, c = rng.normal(size=(n_t, 2)), rng.normal(size=(n_c, 2))
    cost = np.sqrt(((t[:, None, :] - c[None, :, :]) ** 2).sum(axis=2))
    rows, cols = linear_sum_assignment(cost)
    fast = optimal_match(t, c, ratio=1, edges=50, logit_t=None, logit_c=None, caliper=np.inf)
    assert len(fast) == min(n_t, n_c)
    assert np.isclose(sum(d for _, _, d in fast), cost[rows, cols].sum())
