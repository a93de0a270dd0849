"""Matched controls: for each treated unit, ``ratio`` controls by propensity or Mahalanobis."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from shidian.engine.errors import EngineInputError
from shidian.engine.matching.balance import DENOMINATORS, balance_table
from shidian.engine.matching.design import build_design
from shidian.engine.matching.distance import mahalanobis_space, propensity_logit
from shidian.engine.matching.greedy import Match, greedy_1d, greedy_kd, nearest_with_replacement
from shidian.engine.matching.optimal import optimal_match
from shidian.engine.matching.spec import MatchResult, MatchSpec, Pair
from shidian.engine.tables import unique_ids

METHODS = ("propensity", "mahalanobis")
ORDERS = ("largest", "smallest", "random", "data")


def _check(spec: MatchSpec) -> None:
    if spec.method not in METHODS:
        raise EngineInputError(f"--method must be one of {', '.join(METHODS)} (got {spec.method}).")
    if spec.order not in ORDERS:
        raise EngineInputError(f"--order must be one of {', '.join(ORDERS)} (got {spec.order}).")
    if spec.ratio < 1:
        raise EngineInputError(f"--ratio must be at least 1 (got {spec.ratio}).")
    if spec.caliper is not None and not spec.caliper > 0:
        raise EngineInputError(f"--caliper must be positive (got {spec.caliper:g}).")
    if spec.smd_denominator not in DENOMINATORS:
        raise EngineInputError(
            f"--smd-denominator must be one of {', '.join(DENOMINATORS)} "
            f"(got {spec.smd_denominator})."
        )
    if spec.optimal and spec.replace:
        raise EngineInputError(
            "--optimal and --replace together: with replacement the greedy nearest match is "
            "already optimal; drop one of the two options."
        )


def _treated_order(spec: MatchSpec, logit: np.ndarray | None, positions: np.ndarray) -> np.ndarray:
    if spec.order == "random":
        return np.random.default_rng(spec.seed).permutation(positions)
    if logit is None or spec.order == "data":
        return positions
    sign = -1.0 if spec.order == "largest" else 1.0
    return positions[np.argsort(sign * logit[positions], kind="stable")]


def _match_stratum(
    spec: MatchSpec,
    space: np.ndarray,
    logit: np.ndarray | None,
    caliper: float,
    t_idx: np.ndarray,
    c_idx: np.ndarray,
) -> list[Match]:
    xt, xc = space[t_idx], space[c_idx]
    lt = None if logit is None else logit[t_idx]
    lc = None if logit is None else logit[c_idx]
    if spec.optimal:
        return optimal_match(
            xt, xc, ratio=spec.ratio, edges=spec.edges_per_treated, logit_t=lt, logit_c=lc,
            caliper=caliper,
        )  # fmt: skip
    if spec.replace:
        return nearest_with_replacement(
            xt, xc, ratio=spec.ratio, logit_t=lt, logit_c=lc, caliper=caliper
        )
    order = np.arange(len(t_idx))
    if xt.ndim == 1:
        return greedy_1d(xt, xc, order, ratio=spec.ratio, caliper=caliper)
    return greedy_kd(xt, xc, order, ratio=spec.ratio, logit_t=lt, logit_c=lc, caliper=caliper)


def match_controls(
    frame: pd.DataFrame,
    spec: MatchSpec,
    *,
    on_step: Callable[[str], None] | None = None,
) -> MatchResult:
    """Pick matched controls for the treated units of ``frame`` (one row per unit)."""
    step = on_step or (lambda _message: None)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    _check(spec)
    ids = unique_ids(frame, spec.id_column).to_numpy(dtype=str)
    design = build_design(frame, spec.treated, spec.covariates, spec.exact)
    treated = design.treated
    seconds["read"] = time.perf_counter() - clock

    step("fitting the propensity score")
    clock = time.perf_counter()
    logit = None
    logit_sd = None
    caliper = np.inf
    if spec.method == "propensity" or spec.caliper is not None:
        logit = propensity_logit(design.matrix, treated, seed=spec.seed)
        logit_sd = float(logit.std(ddof=1))
        if spec.caliper is not None:
            caliper = spec.caliper * logit_sd
    space = logit if spec.method == "propensity" else mahalanobis_space(design.matrix, treated)
    assert space is not None
    seconds["distance"] = time.perf_counter() - clock

    step("matching")
    clock = time.perf_counter()
    ordered = _treated_order(spec, logit, np.flatnonzero(treated))
    matches: list[tuple[int, int, float]] = []
    for code in np.unique(design.strata[ordered]):
        t_idx = ordered[design.strata[ordered] == code]
        c_idx = np.flatnonzero(~treated & (design.strata == code))
        if len(c_idx) == 0:
            continue
        for t, c, d in _match_stratum(spec, space, logit, caliper, t_idx, c_idx):
            matches.append((int(t_idx[t]), int(c_idx[c]), d))
    seconds["match"] = time.perf_counter() - clock

    step("balance table")
    clock = time.perf_counter()
    result = _assemble(frame, spec, ids, treated, matches)
    weights = result.pop("weights")
    balance = balance_table(
        design.matrix, design.names, treated, weights, denominator=spec.smd_denominator
    )
    seconds["balance"] = time.perf_counter() - clock
    return MatchResult(
        **result,
        balance=balance,
        n_treated=int(treated.sum()),
        n_controls=int((~treated).sum()),
        caliper_logit=None if spec.caliper is None else float(caliper),
        logit_sd=logit_sd,
        method=spec.method,
        optimal=spec.optimal,
        replace=spec.replace,
        ratio=spec.ratio,
        smd_denominator=spec.smd_denominator,
        seconds=seconds,
    )


def _assemble(
    frame: pd.DataFrame,
    spec: MatchSpec,
    ids: np.ndarray,
    treated: np.ndarray,
    matches: list[tuple[int, int, float]],
) -> dict:
    by_treated: dict[int, list[tuple[int, float]]] = {}
    for t, c, d in matches:
        by_treated.setdefault(t, []).append((c, d))
    weights = np.zeros(len(ids))
    pairs: list[Pair] = []
    positions: list[int] = []
    pair_col: list[str] = []
    role: list[str] = []
    weight_col: list[float] = []
    dist_col: list[float | None] = []
    for number, t in enumerate(sorted(by_treated), start=1):  # pair ids in input order
        pair_id = f"P{number:05d}"
        controls = sorted(by_treated[t], key=lambda cd: (cd[1], cd[0]))
        share = 1.0 / len(controls)
        weights[t] = 1.0
        positions.append(t)
        pair_col.append(pair_id)
        role.append("treated")
        weight_col.append(1.0)
        dist_col.append(None)
        for c, d in controls:
            weights[c] += share
            pairs.append(Pair(pair_id, str(ids[t]), str(ids[c]), float(d), share))
            positions.append(c)
            pair_col.append(pair_id)
            role.append("control")
            weight_col.append(share)
            dist_col.append(float(d))
    matched = frame.iloc[positions].reset_index(drop=True)
    matched = matched.drop(columns=[spec.id_column])
    matched.insert(0, "distance", pd.array(dist_col, dtype="Float64"))
    matched.insert(0, "weight", weight_col)
    matched.insert(0, spec.id_column, ids[positions] if positions else [])
    matched.insert(0, "role", role)
    matched.insert(0, "pair_id", pair_col)
    unmatched = [str(ids[t]) for t in np.flatnonzero(treated) if t not in by_treated]
    used = int((weights[~treated] > 0).sum())
    return {
        "pairs": pairs,
        "matched": matched,
        "unmatched_treated": unmatched,
        "n_matched_treated": len(by_treated),
        "n_controls_used": used,
        "n_controls_discarded": int((~treated).sum()) - used,
        "weights": weights,
    }
