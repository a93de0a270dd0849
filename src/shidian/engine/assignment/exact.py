"""Exact optimality for the real-valued affinities: prices, negative cycles, the dual bound.

The flow solver works on integer costs (affinities rounded to 1/100,000 of the largest), so its
optimum can miss the real one by a few rounding units. This module finishes the job on the exact
affinities and proves the result optimal, in about a tenth of a second.

Expert exchange graph (one node per expert, plus a node ``s`` for the load slack): an arc j -> k
for every unit i that has k but not j, where j is eligible for i and may replace k there (j's
organisation is not already on i, unless it is k's). Its weight is the affinity lost by that swap,
``a[i, k] - a[i, j]``, the smallest over such units. Arcs k -> s (k above its minimum load) and
s -> j (j below its maximum load) have weight 0. A negative cycle is an improving exchange (the
predecessor cycles of Bellman-Ford are cancelled until there is none); without one, the shortest
distances ``p`` are prices that make every unit's experts its best choice at reduced affinities
``a - p``, which is the optimality condition of the flow.

Certificate (weak Lagrangian duality, valid for ANY prices p, whether or not they came from the
solver): relax the load bounds with multipliers p; every unit then solves its own problem
(r experts from distinct organisations maximising ``a - p``, which is integral) so

    LP optimum <= B(p) = sum_j (max_load_j * max(p_j, 0) - min_load_j * max(-p_j, 0))
                         + sum_i (best r distinct-organisation values of a[i, :] - p)

and with the prices above B(p) equals the assignment's total affinity: the gap is 0 up to
floating-point summation (about 1e-15 relative).
"""

from __future__ import annotations

import numpy as np

from shidian.engine.assignment.model import AssignmentProblem

MAX_ROUNDS = 5_000  # rounds of cycle cancelling (a few are needed after the flow)


class _Exchange:
    """The expert exchange graph of a current assignment ``chosen`` (units, r) expert indices."""

    def __init__(self, problem: AssignmentProblem, ok: np.ndarray, org: np.ndarray, chosen):
        self.aff = problem.affinity
        self.ok = ok
        self.org = org
        self.chosen = chosen
        self.min_load = problem.min_load
        self.max_load = problem.max_load
        n, m = ok.shape
        self.m = m
        self.weight = np.full((m + 1, m + 1), np.inf)  # weight[j, k]: j replaces k
        self.witness = np.full((m, m), -1, dtype=np.int64)  # the unit realising weight[j, k]
        self.load = np.bincount(chosen.ravel(), minlength=m)
        for k in range(m):
            self.column(k)

    def column(self, k: int) -> None:
        """Recompute the arcs into expert k (j -> k: j takes one of k's units)."""
        rows, slots = np.nonzero(self.chosen == k)
        m = self.m
        if rows.size == 0:
            self.weight[:m, k] = np.inf
            self.witness[:, k] = -1
            return
        chosen = self.chosen[rows]  # (rows, r)
        held = np.zeros((rows.size, m), dtype=bool)
        held[np.arange(rows.size)[:, None], chosen] = True
        org_on = (self.org[None, :, None] == self.org[chosen][:, None, :]).any(axis=2)
        allowed = self.ok[rows] & ~held & (~org_on | (self.org[None, :] == self.org[k]))
        lost = self.aff[rows, k][:, None] - self.aff[rows]
        lost = np.where(allowed, lost, np.inf)
        best = np.argmin(lost, axis=0)
        value = lost[best, np.arange(m)]
        self.weight[:m, k] = value
        self.witness[:, k] = np.where(np.isfinite(value), rows[best], -1)

    def full_weights(self) -> np.ndarray:
        m = self.m
        w = self.weight
        w[:m, m] = np.where(self.load > self.min_load, 0.0, np.inf)  # k -> s: k may lose one
        w[m, :m] = np.where(self.load < self.max_load, 0.0, np.inf)  # s -> j: j may gain one
        w[m, m] = np.inf
        return w


def _bellman_ford(w: np.ndarray, tol: float):
    """Shortest distances from a virtual root (all 0) and predecessor cycles if any."""
    size = w.shape[0]
    dist = np.zeros(size)
    pred = np.full(size, -1, dtype=np.int64)
    for it in range(size + 1):
        cand = dist[:, None] + w
        arg = np.argmin(cand, axis=0)
        best = cand[arg, np.arange(size)]
        better = best < dist - tol
        if not better.any():
            return dist, []
        dist = np.where(better, best, dist)
        pred = np.where(better, arg, pred)
        if it % 8 == 7 or it >= size:
            cycles = _pred_cycles(pred)
            if cycles:
                return dist, cycles
    return dist, _pred_cycles(pred)


def _pred_cycles(pred: np.ndarray) -> list[list[int]]:
    """Cycles of the predecessor graph (each node has at most one predecessor)."""
    size = pred.size
    state = np.zeros(size, dtype=np.int8)  # 0 new, 1 on the current walk, 2 done
    cycles = []
    for start in range(size):
        if state[start]:
            continue
        walk = []
        node = start
        while node >= 0 and state[node] == 0:
            state[node] = 1
            walk.append(node)
            node = int(pred[node])
        if node >= 0 and state[node] == 1:
            cycles.append(walk[walk.index(node) :])
        for v in walk:
            state[v] = 2
    return cycles


def _arcs(cycle: list[int], m: int):
    """Expert-to-expert arcs of a predecessor cycle (pred[k] == j gives the arc j -> k)."""
    for idx, k in enumerate(cycle):
        j = cycle[(idx + 1) % len(cycle)]
        if j != m and k != m:
            yield j, k


def _apply(graph: _Exchange, cycle: list[int], busy: set[int]) -> set[int] | None:
    """Apply one negative cycle as swaps; returns the experts whose arcs changed, or None.

    Each arc j -> k swaps j in for k on its witness unit. Two arcs may share a unit: the swaps
    are then applied together and kept only if that unit still has r experts from r distinct
    organisations (each swap alone was allowed, so only the organisations can clash).
    """
    moves = [(int(graph.witness[j, k]), j, k) for j, k in _arcs(cycle, graph.m)]
    units = {u for u, _, _ in moves}
    if any(u < 0 for u in units) or units & busy:
        return None  # a unit already changed in this round: its arcs are stale
    before = {u: graph.chosen[u].copy() for u in units}
    for unit, j, k in moves:
        row = graph.chosen[unit]
        row[row == k] = j
    for unit in units:
        orgs = graph.org[graph.chosen[unit]]
        if np.unique(orgs).size < orgs.size:
            for u, row in before.items():
                graph.chosen[u] = row
            return None
    for _, j, k in moves:
        graph.load[j] += 1
        graph.load[k] -= 1
    busy |= units
    experts = {int(e) for row in before.values() for e in row}
    return experts | {j for _, j, _ in moves}


def refine(problem: AssignmentProblem, ok: np.ndarray, org: np.ndarray, chosen: np.ndarray):
    """Cancel improving exchanges on the exact affinities; returns (chosen, prices, exact).

    ``chosen`` is (units, r) expert indices. ``exact`` is False only if no improving exchange
    found could be applied (organisations clash on a unit) or after ``MAX_ROUNDS`` rounds: the
    result is then feasible and at least as good, but the prices do not certify it.
    """
    chosen = np.array(chosen, dtype=np.int64, copy=True)
    m = len(problem.expert_ids)
    if chosen.size == 0:
        return chosen, np.zeros(m), True
    scale = max(float(np.abs(problem.affinity).max()), 1.0)
    tol = 1e-12 * scale
    graph = _Exchange(problem, ok, org, chosen)
    for _ in range(MAX_ROUNDS):
        dist, cycles = _bellman_ford(graph.full_weights(), tol)
        if not cycles:
            return graph.chosen, dist[:m] - dist[m], True
        busy: set[int] = set()
        changed: set[int] = set()
        for cycle in cycles:
            experts = _apply(graph, cycle, busy)
            if experts is not None:
                changed |= experts
        if not busy:
            break
        for k in sorted(changed):
            graph.column(k)
    return graph.chosen, dist[:m] - dist[m], False


def dual_bound(
    problem: AssignmentProblem, ok: np.ndarray, org: np.ndarray, prices: np.ndarray
) -> float:
    """B(p): an upper bound on the LP relaxation's total affinity for any prices p."""
    r = problem.per_unit
    n, m = ok.shape
    p = np.asarray(prices, dtype=float)
    loads = float(
        (problem.max_load * np.maximum(p, 0.0)).sum() - (problem.min_load * np.maximum(-p, 0)).sum()
    )
    if n == 0:
        return loads
    reduced = np.where(ok, problem.affinity - p[None, :], -np.inf)
    order = np.argsort(org, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(org[order]) != 0])
    best_per_org = np.maximum.reduceat(reduced[:, order], starts, axis=1)  # (units, orgs)
    if best_per_org.shape[1] < r:
        return np.inf
    top = -np.partition(-best_per_org, r - 1, axis=1)[:, :r]
    return loads + float(top.sum())
