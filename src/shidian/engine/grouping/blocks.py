"""Swaps of whole together-blocks (must-link), after anticlust's 2PML improvement phase.

The item-level search pins the members of a together block. Here each block may trade places
with a set of the same size in another group: another block of that size, or for each member the
most similar free single item (similar items keep the balance while the block moves). A trade is
made when it keeps every constraint and raises the objective of the two groups involved.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import pdist

from shidian.engine.grouping.search import Rules
from shidian.engine.grouping.spec import Problem, category_bounds


def _group_value(x: np.ndarray, members: np.ndarray, objective: str, weighted: bool) -> float:
    if members.size < 2:
        return 0.0
    pts = x[members]
    if objective == "diversity":
        value = float(pdist(pts).sum())
        return value / members.size if weighted else value
    return float(((pts - pts.mean(axis=0)) ** 2).sum())


def _legal(p: Problem, rules: Rules, labels: np.ndarray, moved: np.ndarray, groups) -> bool:
    if rules.allowed is not None and not np.all(rules.allowed[moved, labels[moved]]):
        return False
    if len(p.apart):
        a, b = p.apart[:, 0], p.apart[:, 1]
        if np.any(labels[a] == labels[b]):
            return False
    sizes = np.bincount(labels, minlength=p.k)
    for codes, lv in zip(p.cats, p.n_levels, strict=True):
        lo, hi = category_bounds(np.bincount(codes, minlength=lv), sizes, p.n)
        for g in groups:
            counts = np.bincount(codes[labels == g], minlength=lv)
            if np.any(counts < lo[g]) or np.any(counts > hi[g]):
                return False
    return True


def improve_blocks(
    p: Problem,
    labels: np.ndarray,
    rules: Rules,
    objective: str,
    rng: np.random.Generator,
    *,
    passes: int = 3,
) -> bool:
    """Trade together-blocks between groups in place; return whether anything changed."""
    comp = p.together_comp
    comp_size = np.bincount(comp)
    blocks = [
        np.flatnonzero(comp == c)
        for c in np.flatnonzero(comp_size > 1)
        if not (p.fixed[comp == c] >= 0).any() and not (rules.role[comp == c] == 1).any()
    ]
    if not blocks:
        return False
    weighted = rules.moves
    x = p.x
    changed = False
    for _ in range(passes):
        improved = False
        for bi in rng.permutation(len(blocks)):
            block = blocks[bi]
            a = int(labels[block[0]])
            for b in rng.permutation(p.k):
                if b == a:
                    continue
                in_b = np.flatnonzero(labels == b)
                options = [o for o in blocks if o.size == block.size and labels[o[0]] == b]
                singles = in_b[rules.movable[in_b] & (rules.role[in_b] == 0)]
                if singles.size >= block.size:
                    chosen: list[int] = []
                    pool = list(singles)
                    for item in block:
                        dist = np.linalg.norm(x[pool] - x[item], axis=1)
                        chosen.append(pool.pop(int(np.argmin(dist))))
                    options.append(np.array(chosen))
                before_a = np.flatnonzero(labels == a)
                old = _group_value(x, before_a, objective, weighted) + _group_value(
                    x, in_b, objective, weighted
                )
                for other in options:
                    trial = labels.copy()
                    trial[block] = b
                    trial[other] = a
                    new = _group_value(
                        x, np.flatnonzero(trial == a), objective, weighted
                    ) + _group_value(x, np.flatnonzero(trial == b), objective, weighted)
                    if new > old + 1e-10 * (abs(old) + 1) and _legal(
                        p, rules, trial, np.r_[block, other], (a, b)
                    ):
                        labels[:] = trial
                        improved = changed = True
                        break
                if labels[block[0]] != a:
                    break
        if not improved:
            break
    return changed
