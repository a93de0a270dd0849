"""Greedy nearest-neighbour matching within one exact-matching stratum.

Without replacement on a one-dimensional distance (the logit of the propensity score) the
controls are kept sorted with two "next available to the left/right" union-find arrays, so each
match costs near O(1) after one O(C log C) sort. With several dimensions (Mahalanobis) a KD-tree
(scikit-learn) gives each treated unit its nearest controls, asked again with a larger k only
when all of them have been taken.
"""

from __future__ import annotations

import numpy as np
from sklearn.neighbors import KDTree

Match = tuple[int, int, float]  # (treated position, control position, distance)


def _find(parent: list[int], i: int) -> int:
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:  # path compression
        parent[i], i = root, parent[i]
    return root


def greedy_1d(
    treated: np.ndarray,
    controls: np.ndarray,
    order: np.ndarray,
    *,
    ratio: int,
    caliper: float,
) -> list[Match]:
    """Match ``treated[order]`` one by one to the nearest unused control (1-D values)."""
    c_order = np.argsort(controls, kind="stable")
    values = controls[c_order].tolist()
    n = len(values)
    # Positions 1..n hold the sorted controls; 0 and n+1 are sentinels that are never used.
    right = list(range(n + 2))
    left = list(range(n + 2))
    insert = (np.searchsorted(controls[c_order], treated) + 1).tolist()
    inf = float("inf")
    matches: list[Match] = []
    for t in order.tolist():
        x = float(treated[t])
        for _ in range(ratio):
            a = _find(left, insert[t] - 1)
            b = _find(right, insert[t])
            da = x - values[a - 1] if a > 0 else inf
            db = values[b - 1] - x if b <= n else inf
            pick, dist = (a, da) if da <= db else (b, db)
            if dist > caliper or dist == inf:
                break
            matches.append((t, int(c_order[pick - 1]), dist))
            left[pick] = pick - 1
            right[pick] = pick + 1
    return matches


def greedy_kd(
    treated: np.ndarray,
    controls: np.ndarray,
    order: np.ndarray,
    *,
    ratio: int,
    logit_t: np.ndarray | None = None,
    logit_c: np.ndarray | None = None,
    caliper: float = np.inf,
    replace: bool = False,
) -> list[Match]:
    """Greedy without replacement in several dimensions, optionally within a logit caliper.

    With ``replace`` controls are not used up: each treated unit takes its nearest controls
    within the caliper (searched further out when the nearest ones are outside it).
    """
    n_c = len(controls)
    tree = KDTree(controls)
    k0 = min(n_c, ratio + 8)
    dist0, idx0 = tree.query(treated, k=k0)
    used = np.zeros(n_c, dtype=bool)
    matches: list[Match] = []
    for t in order.tolist():
        dist, idx, k = dist0[t], idx0[t], k0
        mine: list[int] = []  # taken by this treated unit (a re-query returns them again)
        found = 0
        while True:
            ok = ~used[idx]
            if mine:
                ok &= ~np.isin(idx, mine)
            if logit_t is not None and logit_c is not None:
                ok &= np.abs(logit_c[idx] - logit_t[t]) <= caliper
            for j in np.flatnonzero(ok)[: ratio - found]:
                matches.append((t, int(idx[j]), float(dist[j])))
                mine.append(int(idx[j]))
                used[idx[j]] = not replace
                found += 1
            if found >= ratio or k >= n_c:
                break
            k = min(n_c, k * 4)
            d, i = tree.query(treated[t : t + 1], k=k)
            dist, idx = d[0], i[0]
    return matches


def nearest_with_replacement(
    treated: np.ndarray,
    controls: np.ndarray,
    *,
    ratio: int,
    logit_t: np.ndarray | None,
    logit_c: np.ndarray | None,
    caliper: float,
) -> list[Match]:
    """Each treated unit takes its ``ratio`` nearest controls; controls may be reused."""
    if treated.ndim == 2 and logit_t is not None and logit_c is not None:
        order = np.arange(len(treated))
        return greedy_kd(
            treated, controls, order, ratio=ratio, logit_t=logit_t, logit_c=logit_c,
            caliper=caliper, replace=True,
        )  # fmt: skip
    if treated.ndim == 1:
        treated, controls = treated[:, None], controls[:, None]
    k = min(ratio, len(controls))
    dist, idx = KDTree(controls).query(treated, k=k)
    matches: list[Match] = []
    for t in range(len(treated)):
        for d, c in zip(dist[t], idx[t], strict=True):
            outside = logit_t is not None and logit_c is not None
            if outside and abs(logit_c[c] - logit_t[t]) > caliper:  # type: ignore[index]
                continue
            matches.append((t, int(c), float(d)))
    return matches
