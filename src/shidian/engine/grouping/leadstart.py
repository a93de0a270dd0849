"""A heuristic start for leads with a distance limit (--max-km), for inputs of any size.

Four steps, each keeping every hard constraint it can see:

1. Leads. Fixed items that may lead become their group's lead (as in the greedy start). The other
   groups get leads chosen greedily from the possible leads: each time the candidate whose
   reach (members within --max-km) relieves the most items, an item counting 1 / (1 + the
   number of chosen leads already within reach of it). Uncovered items weigh most, so the first
   picks cover the map; later picks go where items have the fewest leads to choose from. With
   exactly one possible lead per group every candidate leads.
2. Together blocks and items with apart partners, most constrained first (fewest groups within
   reach): each goes to the legal group (within reach of every member, no apart partner there,
   room left) furthest below its target size.
3. Every other item: a transportation problem solved as a linear program (HiGHS through SciPy):
   each item to exactly one group whose lead is within --max-km, each group's size within the
   size bounds, the deviation from balanced sizes minimised. The constraint matrix is an
   incidence matrix of a bipartite graph (totally unimodular), so the simplex vertex is whole.
4. The category counts are left to ``repair_categories`` (swaps that keep the distance).

``StartFailed`` says which constraint family blocked the heuristic, so the caller can fall back
to the MILP (small inputs) or name the constraint in an InfeasibleError.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, csr_matrix

from shidian.engine.grouping.spec import Problem, balanced_sizes


class StartFailed(Exception):
    def __init__(self, families: tuple[str, ...], detail: str) -> None:
        super().__init__(detail)
        self.families = families
        self.detail = detail


def choose_leads(
    p: Problem, labels: np.ndarray, reach: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """(K,) item index of each group's lead; ``labels`` already holds the fixed items."""
    assert p.lead_mask is not None and p.lead_cands is not None
    k = p.k
    leads = np.full(k, -1, dtype=np.int64)
    for g in range(k):
        placed = np.flatnonzero(p.lead_mask & (labels == g))
        if placed.size:
            leads[g] = placed[0]
    open_groups = np.flatnonzero(leads < 0)
    comp = p.together_comp
    taken_comps = set(comp[leads[leads >= 0]].tolist())
    free = np.flatnonzero(p.lead_mask[p.lead_cands] & (labels[p.lead_cands] < 0))
    if free.size < open_groups.size:
        raise StartFailed(("leads", "fixed"), "too few free possible leads")
    if free.size == open_groups.size and len(set(comp[p.lead_cands[free]].tolist())) == free.size:
        picks = p.lead_cands[free]
    else:
        covered = np.zeros(p.n)
        for lead in leads[leads >= 0]:
            covered += reach[:, int(np.searchsorted(p.lead_cands, lead))]
        available = np.ones(free.size, dtype=bool)
        chosen: list[int] = []
        jitter = rng.random(free.size) * 1e-6
        by_cand = csr_matrix(reach[:, free].T, dtype=float)  # (free, N), sparse within max_km
        cand_comp = comp[p.lead_cands[free]]
        for _ in range(open_groups.size):
            weight = 1.0 / (1.0 + covered)
            score = by_cand @ weight + jitter
            score[~available] = -np.inf
            # two leads may not share a together block
            score[np.isin(cand_comp, np.fromiter(taken_comps, dtype=np.int64))] = -np.inf
            best = int(np.argmax(score))
            if not np.isfinite(score[best]):
                raise StartFailed(("leads", "together"), "possible leads share together blocks")
            available[best] = False
            item = int(p.lead_cands[free[best]])
            chosen.append(item)
            taken_comps.add(int(comp[item]))
            covered += reach[:, free[best]]
        picks = np.array(chosen, dtype=np.int64)
    leads[open_groups] = rng.permutation(picks)
    return leads


def distance_start(p: Problem, rng: np.random.Generator):
    """Return (labels, leads) meeting leads, distance, sizes, pairs and fixed items."""
    assert p.lead_km is not None and p.max_km is not None and p.lead_cands is not None
    n, k = p.n, p.k
    reach = p.lead_km <= p.max_km  # (N, L)
    labels = np.full(n, -1, dtype=np.int64)
    comp = p.together_comp
    order = np.argsort(comp, kind="stable")
    cuts = np.flatnonzero(np.diff(comp[order])) + 1
    members_of = {int(comp[m[0]]): m for m in np.split(order, cuts)}
    size = np.zeros(k, dtype=np.int64)
    for i in np.flatnonzero(p.fixed >= 0):
        if labels[i] < 0:
            block = members_of[int(comp[i])]
            labels[block] = p.fixed[i]
            size[p.fixed[i]] += block.size
    leads = choose_leads(p, labels, reach, rng)
    allowed = reach[:, np.searchsorted(p.lead_cands, leads)]  # (N, K)
    allowed[leads, np.arange(k)] = True
    for g, lead in enumerate(leads):
        if labels[lead] < 0:
            block = members_of[int(comp[lead])]
            labels[block] = g
            size[g] += block.size
    placed = labels >= 0
    wrong = placed & ~allowed[np.arange(n), np.maximum(labels, 0)]
    if wrong.any():
        raise StartFailed(("max_km", "fixed"), "a fixed item is out of its lead's reach")
    target = _targets(p, size)
    nbrs: list[list[int]] = [[] for _ in range(n)]
    for a, b in p.apart:
        nbrs[a].append(b)
        nbrs[b].append(a)

    # step 2: blocks and items with apart partners, fewest legal groups first
    hard = [
        m
        for c, m in members_of.items()
        if labels[m[0]] < 0 and (m.size > 1 or any(nbrs[i] for i in m))
    ]
    reach_of = {int(comp[m[0]]): allowed[m].all(axis=0) for m in hard}
    hard.sort(key=lambda m: (int(reach_of[int(comp[m[0]])].sum()), -m.size))
    for block in hard:
        ok = reach_of[int(comp[block[0]])] & (size + block.size <= p.size_hi)
        for i in block:
            for j in nbrs[i]:
                if labels[j] >= 0:
                    ok[labels[j]] = False
        if not ok.any():
            fam = ("apart", "max_km") if any(nbrs[i] for i in block) else ("together", "max_km")
            raise StartFailed(fam, "no group within reach with room and no apart partner")
        room = np.where(ok, (target - size) / np.maximum(target, 1) + rng.random(k) * 1e-6, -np.inf)
        g = int(np.argmax(room))
        labels[block] = g
        size[g] += block.size

    # step 3: the rest as a transportation problem
    rest = np.flatnonzero(labels < 0)
    if rest.size:
        labels[rest] = _transport(p, allowed[rest], size, target, rng)
    return labels, leads


def _targets(p: Problem, placed: np.ndarray) -> np.ndarray:
    """Balanced sizes within the bounds, never below what is already placed."""
    return np.clip(np.maximum(balanced_sizes(p.n, p.k), placed), p.size_lo, p.size_hi)


def _transport(
    p: Problem, allowed: np.ndarray, size: np.ndarray, target: np.ndarray, rng
) -> np.ndarray:
    """Assign the rows of ``allowed`` (R, K) to groups: sizes in bounds, near the targets."""
    r, k = allowed.shape
    lo = np.maximum(p.size_lo - size, 0)
    hi = p.size_hi - size
    if np.any(hi < 0) or lo.sum() > r or hi.sum() < r:
        raise StartFailed(("max_km", "sizes"), "group sizes cannot hold")
    want = np.clip(target - size, lo, hi)
    rows, cols = np.nonzero(allowed)
    nx = rows.size
    # columns: x (nx), over (k), under (k); rows: one per item (=1), one per group (=want)
    c = np.r_[rng.random(nx) * 1e-3, np.ones(2 * k)]
    g_idx = np.arange(k)
    a_rows = np.r_[rows, r + cols, r + g_idx, r + g_idx]
    a_cols = np.r_[np.arange(nx), np.arange(nx), nx + g_idx, nx + k + g_idx]
    a_vals = np.r_[np.ones(2 * nx), -np.ones(k), np.ones(k)]
    a_eq = coo_matrix((a_vals, (a_rows, a_cols)), shape=(r + k, nx + 2 * k)).tocsr()
    b_eq = np.r_[np.ones(r), want.astype(float)]
    bounds = np.column_stack(
        [np.zeros(nx + 2 * k), np.r_[np.ones(nx), (hi - want).astype(float), (want - lo)]]
    )
    res = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs-ds")
    if res.status != 0 or res.x is None:
        raise StartFailed(
            ("max_km", "sizes"),
            "no assignment keeps every item within reach and the sizes in bounds",
        )
    x = res.x[:nx]
    out = np.full(r, -1, dtype=np.int64)
    chosen = x > 0.5
    out[rows[chosen]] = cols[chosen]
    if np.any(out < 0):  # a fractional vertex (should not happen): take each row's largest share
        for i in np.flatnonzero(out < 0):
            here = rows == i
            out[i] = cols[here][int(np.argmax(x[here]))]
    return out
