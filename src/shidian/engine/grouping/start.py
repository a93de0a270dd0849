"""A legal starting partition: round-robin, a greedy fill, the lead-and-distance heuristic
(leadstart.py), or the MILP when constraints interact on small inputs.

Order: round-robin without constraints; the greedy fill without --max-km; the distance heuristic
with --max-km. A start whose category counts miss their bounds is kept on large inputs (the
caller repairs it with swaps) and handed to the MILP on small ones; when the heuristic fails on
a large input, the InfeasibleError names the constraint families that blocked it.
"""

from __future__ import annotations

import numpy as np

from shidian.engine.errors import InfeasibleError
from shidian.engine.grouping.leadstart import StartFailed, distance_start
from shidian.engine.grouping.milp import diagnose, solve_milp
from shidian.engine.grouping.spec import Problem, balanced_sizes, category_bounds

FAMILY_TEXT = {
    "categories": "the category balance (--categorical)",
    "apart": "the apart pairs (--apart)",
    "together": "the together pairs (--together)",
    "fixed": "the fixed assignments",
    "leads": "one lead per group (--lead-column)",
    "max_km": "the distance to the lead (--max-km)",
    "sizes": "the group size bounds (--size-min/--size-max)",
}


MILP_START_LIMIT = 400_000  # items x groups
BATCHED_ITEMS = 2000  # api.DENSE_CANDIDATES: above it the batched search repairs the counts


class _GreedyFailed(Exception):
    pass


def start_partition(p: Problem, rng: np.random.Generator, time_limit: float):
    """Return (labels, lead_items or None, how) for a partition meeting every constraint."""
    simple = (
        p.lead_mask is None
        and not len(p.apart)
        and not (p.fixed >= 0).any()
        and np.bincount(p.together_comp).max() == 1
        and len(p.cats) <= 1
    )
    if simple:
        return _round_robin(p, rng), None, "round-robin"
    if p.max_km is None:
        try:
            labels, leads = _greedy(p, rng)
            if _categories_hold(p, labels):
                return labels, leads, "greedy"
            if p.n * p.k > MILP_START_LIMIT:
                return labels, leads, "greedy-repair"  # the caller repairs the category counts
        except _GreedyFailed:
            pass
    if p.max_km is not None:
        try:
            labels, leads = distance_start(p, rng)
        except StartFailed as failed:
            if p.n * p.k > MILP_START_LIMIT:
                raise InfeasibleError(
                    "These constraints cannot all hold: "
                    + "; ".join(FAMILY_TEXT[c] for c in failed.families)
                    + f" ({failed.detail}). Relax one of them (more groups, wider size bounds, "
                    "fewer pairs, a larger --max-km or more possible leads).",
                    relaxations=[FAMILY_TEXT[c] for c in failed.families],
                ) from failed
        else:
            if _categories_hold(p, labels):
                return labels, leads, "distance"
            if p.n * p.k > MILP_START_LIMIT or p.n > BATCHED_ITEMS:
                return labels, leads, "distance-repair"  # the batched search repairs the counts
    if p.n * p.k > MILP_START_LIMIT:
        raise InfeasibleError(
            "No simple start meets every constraint and the input is too large for the exact "
            "start (items x groups over 400,000); relax a constraint or split the input."
        )
    outcome = solve_milp(p, time_limit=time_limit, seed=int(rng.integers(1 << 30)))
    if outcome.status == "infeasible":
        culprits = diagnose(p, time_limit=time_limit)
        raise InfeasibleError(
            "These constraints cannot all hold: "
            + "; ".join(FAMILY_TEXT[c] for c in culprits)
            + ". Relax one of them (more groups, wider size bounds, fewer pairs, a larger "
            "--max-km or more possible leads).",
            relaxations=[FAMILY_TEXT[c] for c in culprits],
        )
    if outcome.status == "timeout":
        raise InfeasibleError(
            f"No partition meeting every constraint was found within {time_limit:g} s; "
            "relax a constraint or raise --time-limit."
        )
    return outcome.labels, outcome.leads, "milp"


def _round_robin(p: Problem, rng: np.random.Generator) -> np.ndarray:
    """Deal items sorted by category (random within) to groups in turn: balanced by count."""
    key = rng.random(p.n)
    order = np.lexsort((key, p.cats[0])) if p.cats else np.argsort(key)
    labels = np.empty(p.n, dtype=np.int64)
    group_order = rng.permutation(p.k)
    labels[order] = group_order[np.arange(p.n) % p.k]
    return labels


def _categories_hold(p: Problem, labels: np.ndarray) -> bool:
    sizes = np.bincount(labels, minlength=p.k)
    for c, lv in zip(p.cats, p.n_levels, strict=True):
        counts = np.zeros((p.k, lv), dtype=np.int64)
        np.add.at(counts, (labels, c), 1)
        lo, hi = category_bounds(np.bincount(c, minlength=lv), sizes, p.n)
        if np.any(counts < lo) or np.any(counts > hi):
            return False
    return True


def _greedy(p: Problem, rng: np.random.Generator):
    n, k = p.n, p.k
    cap = balanced_sizes(n, k)[rng.permutation(k)]
    labels = np.full(n, -1, dtype=np.int64)
    comp = p.together_comp
    members_of = {}
    for c in np.unique(comp):
        members_of[c] = np.flatnonzero(comp == c)
    nbrs: list[list[int]] = [[] for _ in range(n)]
    for a, b in p.apart:
        nbrs[a].append(b)
        nbrs[b].append(a)
    totals = [np.bincount(c, minlength=lv) for c, lv in zip(p.cats, p.n_levels, strict=True)]
    counts = [np.zeros((k, lv)) for lv in p.n_levels]
    shares = [np.outer(cap, t) / n for t in totals]
    size = np.zeros(k, dtype=np.int64)

    def place(items, g):
        if size[g] + len(items) > cap[g]:
            raise _GreedyFailed
        labels[items] = g
        size[g] += len(items)
        for t, c in enumerate(p.cats):
            np.add.at(counts[t][g], c[items], 1)

    def choose(items):
        ok = size + len(items) <= cap
        for i in items:
            for j in nbrs[i]:
                if labels[j] >= 0:
                    ok[labels[j]] = False
        if not ok.any():
            raise _GreedyFailed
        score = rng.random(k) * 1e-6
        for t, c in enumerate(p.cats):
            for i in items:
                score += (shares[t][:, c[i]] - counts[t][:, c[i]]) / max(totals[t][c[i]], 1)
        score += (cap - size) / max(cap.max(), 1) * 1e-3
        return int(np.argmax(np.where(ok, score, -np.inf)))

    for i in np.flatnonzero(p.fixed >= 0):
        if labels[i] < 0:
            place(members_of[comp[i]], p.fixed[i])
    leads = None
    if p.lead_mask is not None:
        leads = np.full(k, -1, dtype=np.int64)
        for g in range(k):
            placed = np.flatnonzero(p.lead_mask & (labels == g))
            if placed.size:
                leads[g] = placed[0]
        free = rng.permutation(np.flatnonzero(p.lead_mask & (labels < 0)))
        for lead_group in np.flatnonzero(leads < 0):
            if not free.size:
                raise _GreedyFailed
            pick, free = free[0], free[1:]
            place(members_of[comp[pick]], int(lead_group))
            leads[lead_group] = pick
    blocks = [m for m in members_of.values() if m.size > 1 and labels[m[0]] < 0]
    blocks.sort(key=len, reverse=True)
    for block in blocks:
        place(block, choose(block))
    rest = np.flatnonzero(labels < 0)
    if p.cats:
        rest = rest[np.lexsort((rng.random(rest.size), p.cats[0][rest]))]
    else:
        rest = rng.permutation(rest)
    # items with apart partners first: they have the fewest choices
    has_nbrs = np.array([len(nbrs[i]) > 0 for i in rest], dtype=bool)
    rest = np.r_[rest[has_nbrs], rest[~has_nbrs]]
    for i in rest:
        place([i], choose([i]))
    return labels, leads
