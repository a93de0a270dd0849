"""Optimal (minimum total distance) matching without replacement as a sparse assignment.

Each treated unit is copied ``ratio`` times; every copy may take a control within the caliper or
its own "unmatched" column whose cost exceeds any possible saving, so the solver first matches as
many treated units as the caliper allows and then minimises the total distance. Solved with
SciPy's ``min_weight_full_bipartite_matching`` (LAPJVsp, the sparse form of
``linear_sum_assignment``). When treated x controls is small every pair within the caliper is a
candidate (exactly optimal); otherwise each treated unit's ``edges`` nearest controls are.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching
from sklearn.neighbors import KDTree

from shidian.engine.matching.greedy import Match

DENSE_PAIRS = 1_000_000


def _candidate_edges(
    treated: np.ndarray,
    controls: np.ndarray,
    *,
    edges: int,
    logit_t: np.ndarray | None,
    logit_c: np.ndarray | None,
    caliper: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t2 = treated[:, None] if treated.ndim == 1 else treated
    c2 = controls[:, None] if controls.ndim == 1 else controls
    n_t, n_c = len(t2), len(c2)
    if n_t * n_c <= DENSE_PAIRS:
        rows = np.repeat(np.arange(n_t), n_c)
        cols = np.tile(np.arange(n_c), n_t)
        dist = np.sqrt(((t2[rows] - c2[cols]) ** 2).sum(axis=1))
    else:
        k = min(n_c, edges)
        d, i = KDTree(c2).query(t2, k=k)
        rows, cols, dist = np.repeat(np.arange(n_t), k), i.ravel(), d.ravel()
    if logit_t is not None and logit_c is not None:
        keep = np.abs(logit_t[rows] - logit_c[cols]) <= caliper
        rows, cols, dist = rows[keep], cols[keep], dist[keep]
    return rows, cols, dist


def optimal_match(
    treated: np.ndarray,
    controls: np.ndarray,
    *,
    ratio: int,
    edges: int,
    logit_t: np.ndarray | None,
    logit_c: np.ndarray | None,
    caliper: float,
) -> list[Match]:
    n_t, n_c = len(treated), len(controls)
    rows, cols, dist = _candidate_edges(
        treated, controls, edges=edges, logit_t=logit_t, logit_c=logit_c, caliper=caliper
    )
    if len(rows) == 0:
        return []
    copies = n_t * ratio
    # Copy r of treated unit t is row t * ratio + r.
    all_rows = (rows[:, None] * ratio + np.arange(ratio)).ravel()
    all_cols = np.repeat(cols, ratio)
    all_dist = np.repeat(dist, ratio)
    # Leaving one copy unmatched must cost more than any rearrangement of the other copies can
    # save; +1 on every edge keeps zero distances as explicit edges.
    penalty = float(all_dist.max() + 1.0) * (copies + 1)
    dummy_rows = np.arange(copies)
    graph = sp.csr_matrix(
        (
            np.concatenate([all_dist + 1.0, np.full(copies, penalty)]),
            (np.concatenate([all_rows, dummy_rows]), np.concatenate([all_cols, n_c + dummy_rows])),
        ),
        shape=(copies, n_c + copies),
    )
    row_ind, col_ind = min_weight_full_bipartite_matching(graph)
    real = col_ind < n_c
    row_ind, col_ind = row_ind[real], col_ind[real]
    dist_of = np.asarray(graph[row_ind, col_ind]).ravel() - 1.0
    matches: list[Match] = [
        (int(r) // ratio, int(c), float(d))
        for r, c, d in zip(row_ind.tolist(), col_ind.tolist(), dist_of.tolist(), strict=True)
    ]
    matches.sort()
    return matches
