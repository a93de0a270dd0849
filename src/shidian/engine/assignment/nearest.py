"""Capacitated nearest assignment with a distance limit: each school to one lead (a pilot that
will lead it, 辐射带动) within ``max_km``, no lead with more than ``max_load`` schools (the
``used`` places it already holds in earlier plans count), the total distance as small as
possible.

A transportation problem solved as a linear program (HiGHS dual simplex through SciPy) on the
pairs within reach only: the constraint matrix is the incidence matrix of a bipartite graph
(totally unimodular), so the vertex the simplex returns is whole. When no assignment exists
the error names why, as ``code`` and ``params`` the web turns into the user's language:

- ``pairing_no_leads``: there is no lead at all;
- ``pairing_out_of_reach``: schools farther than ``max_km`` from every lead (``schools``, their
  ``nearest_km``);
- ``pairing_capacity``: more schools than the free places, ``leads * max_load - used``
  (``need``, ``have``);
- ``pairing_crowded``: a set of schools whose leads within reach cannot hold them all
  (``schools``, ``leads``, ``have``): found as the source side of a minimum cut, so it is a
  true Hall violation, not a guess.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from shidian.engine.errors import EngineInputError, InfeasibleError
from shidian.engine.grouping.prepare import haversine_km


@dataclass(frozen=True)
class Pairing:
    lead: tuple[int, ...]  # for each school, the index of its lead
    km: tuple[float, ...]  # for each school, the distance to its lead
    loads: tuple[int, ...]  # for each lead, how many schools it leads
    total_km: float


def _infeasible(message: str, code: str, **params: Any) -> InfeasibleError:
    err = InfeasibleError(message)
    err.code = code
    err.params = params
    return err


def _coords(points: Sequence[Sequence[float]], what: str) -> np.ndarray:
    arr = np.asarray(points, dtype=float).reshape(-1, 2) if len(points) else np.zeros((0, 2))
    if not np.all(np.isfinite(arr)):
        raise EngineInputError(f"{what}: every point needs a latitude and a longitude")
    if np.any(np.abs(arr[:, 0]) > 90) or np.any(np.abs(arr[:, 1]) > 180):
        raise EngineInputError(f"{what}: a latitude or longitude is out of range")
    return arr


def distances_km(schools: np.ndarray, leads: np.ndarray) -> np.ndarray:
    """(N, L) great-circle distances."""
    return haversine_km(
        schools[:, None, 0], schools[:, None, 1], leads[None, :, 0], leads[None, :, 1]
    )


def pair_nearest(
    schools: Sequence[Sequence[float]],
    leads: Sequence[Sequence[float]],
    *,
    max_km: float,
    max_load: int,
    used: Sequence[int] | None = None,
) -> Pairing:
    """Assign every school (lat, lon) to a lead (lat, lon); see the module docstring.

    ``used[j]``: the schools lead ``j`` already leads elsewhere (earlier plans); its free
    places are ``max_load - used[j]`` (none when negative). ``loads`` counts this pairing only.
    """
    if not (isinstance(max_km, int | float) and math.isfinite(max_km) and max_km > 0):
        raise EngineInputError("max_km must be a positive number of kilometres")
    if isinstance(max_load, bool) or not isinstance(max_load, int | np.integer) or max_load < 1:
        raise EngineInputError("max_load must be a whole number of at least 1")
    s = _coords(schools, "schools")
    g = _coords(leads, "leads")
    n, k = s.shape[0], g.shape[0]
    cap = _capacity(max_load, used, k)
    if n == 0:
        return Pairing((), (), tuple([0] * k), 0.0)
    if k == 0:
        raise _infeasible("there is no lead to pair the schools with", "pairing_no_leads")
    d = distances_km(s, g)
    reach = d <= max_km
    lonely = np.flatnonzero(~reach.any(axis=1))
    if lonely.size:
        raise _infeasible(
            f"{lonely.size} schools are farther than {max_km:g} km from every lead",
            "pairing_out_of_reach",
            schools=lonely.tolist(),
            nearest_km=[round(float(v), 1) for v in d[lonely].min(axis=1)],
        )
    if n > int(cap.sum()):
        raise _infeasible(
            f"{n} schools need more than the {int(cap.sum())} free places of {k} leads",
            "pairing_capacity",
            need=n,
            have=int(cap.sum()),
        )
    rows, cols = np.nonzero(reach)
    cost = d[rows, cols]
    m = rows.size
    a_eq = coo_matrix((np.ones(m), (rows, np.arange(m))), shape=(n, m)).tocsr()
    a_ub = coo_matrix((np.ones(m), (cols, np.arange(m))), shape=(k, m)).tocsr()
    res = linprog(
        cost,
        A_eq=a_eq,
        b_eq=np.ones(n),
        A_ub=a_ub,
        b_ub=cap.astype(float),
        bounds=(0, 1),
        method="highs-ds",
    )
    if res.status != 0 or res.x is None:
        raise _crowded(reach, cap)
    x = res.x
    lead = np.full(n, -1, dtype=np.int64)
    chosen = x > 0.5
    lead[rows[chosen]] = cols[chosen]
    for i in np.flatnonzero(lead < 0):  # a fractional vertex (should not happen)
        here = rows == i
        lead[i] = cols[here][int(np.argmax(x[here]))]
    km = d[np.arange(n), lead]
    loads = np.bincount(lead, minlength=k)
    return Pairing(
        lead=tuple(int(v) for v in lead),
        km=tuple(float(v) for v in km),
        loads=tuple(int(v) for v in loads),
        total_km=float(km.sum()),
    )


def _capacity(max_load: int, used: Sequence[int] | None, k: int) -> np.ndarray:
    """Free places per lead: ``max_load`` less what each already leads elsewhere."""
    if used is None:
        return np.full(k, int(max_load), dtype=np.int64)
    taken = np.asarray(used, dtype=float).reshape(-1)
    if taken.size != k or not np.all(np.isfinite(taken)) or np.any(taken < 0):
        raise EngineInputError("used: one whole number of at least 0 for every lead")
    if np.any(taken != np.round(taken)):
        raise EngineInputError("used: one whole number of at least 0 for every lead")
    return np.maximum(int(max_load) - taken.astype(np.int64), 0)


def _crowded(reach: np.ndarray, cap: np.ndarray) -> InfeasibleError:
    """The schools on the source side of a minimum cut of source -> school (1) -> lead
    (unbounded) -> sink (its free places): their leads within reach hold fewer than them."""
    n, k = reach.shape
    src, sink = n + k, n + k + 1
    rows, cols = np.nonzero(reach)
    big = n + 1
    tail = np.r_[np.full(n, src), rows, n + np.arange(k)]
    head = np.r_[np.arange(n), n + cols, np.full(k, sink)]
    caps = np.r_[np.ones(n), np.full(rows.size, big), cap].astype(np.int32)
    keep = caps > 0  # a full lead has no edge to the sink
    graph = csr_matrix((caps[keep], (tail[keep], head[keep])), shape=(n + k + 2, n + k + 2))
    flow = maximum_flow(graph, src, sink).flow
    # the flow is antisymmetric (flow[v, u] = -flow[u, v]): capacity minus flow is the residual
    # capacity both ways
    residual = (graph - flow).tocsr()
    residual.data = np.maximum(residual.data, 0)
    residual.eliminate_zeros()
    seen = breadth_first_order(residual, src, directed=True, return_predecessors=False)
    side = set(int(v) for v in seen)
    schools = sorted(i for i in range(n) if i in side)
    leads = sorted(j for j in range(k) if n + j in side)
    have = int(cap[leads].sum()) if leads else 0
    return _infeasible(
        f"{len(schools)} schools have only {len(leads)} leads within reach, {have} places",
        "pairing_crowded",
        schools=schools,
        leads=leads,
        have=have,
    )
