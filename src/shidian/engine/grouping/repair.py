"""Repair the category balance of a start too large for the MILP.

With several categorical columns the greedy start can leave a few groups outside floor/ceil of
their share on some level. Here items of over-represented levels are swapped, one at a time, with
the partner (a legal swap: same role, apart pairs and distance kept) that removes the most
violation, until every count is within its bounds or no swap helps.
"""

from __future__ import annotations

import numpy as np

from shidian.engine.grouping.search import Rules, _apart_masks
from shidian.engine.grouping.spec import Problem, category_bounds

SAMPLE = 4000  # candidate partners per item on large inputs


def _excess(cnt: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.maximum(cnt - hi, 0) + np.maximum(lo - cnt, 0)


def category_violation(p: Problem, labels: np.ndarray) -> int:
    sizes = np.bincount(labels, minlength=p.k)
    total = 0
    for codes, lv in zip(p.cats, p.n_levels, strict=True):
        cnt = np.zeros((p.k, lv), dtype=np.int64)
        np.add.at(cnt, (labels, codes), 1)
        lo, hi = category_bounds(np.bincount(codes, minlength=lv), sizes, p.n)
        total += int(_excess(cnt, lo, hi).sum())
    return total


def repair_categories(
    p: Problem, labels: np.ndarray, rules: Rules, rng: np.random.Generator, max_rounds: int = 30
) -> bool:
    """Swap items in place to meet the category bounds; return whether they all hold."""
    sizes = np.bincount(labels, minlength=p.k)
    counts, bounds = [], []
    for codes, lv in zip(p.cats, p.n_levels, strict=True):
        cnt = np.zeros((p.k, lv), dtype=np.int64)
        np.add.at(cnt, (labels, codes), 1)
        counts.append(cnt)
        bounds.append(category_bounds(np.bincount(codes, minlength=lv), sizes, p.n))
    everyone = np.arange(p.n)
    for _ in range(max_rounds):
        over = np.zeros(p.n, dtype=bool)
        for codes, cnt, (_lo, hi) in zip(p.cats, counts, bounds, strict=True):
            over |= cnt[labels, codes] > hi[labels, codes]
        under_total = sum(
            int(_excess(c, lo, hi).sum()) for c, (lo, hi) in zip(counts, bounds, strict=True)
        )
        if under_total == 0:
            return True
        items = rng.permutation(np.flatnonzero(over & rules.movable))
        if not items.size:  # only shortfalls left: move items of other levels out instead
            items = rng.permutation(np.flatnonzero(rules.movable))[:SAMPLE]
        improved = False
        for i in items:
            a = int(labels[i])
            cand = everyone if p.n <= SAMPLE else rng.choice(p.n, SAMPLE, replace=False)
            cand = cand[rules.movable[cand] & (rules.role[cand] == rules.role[i])]
            cand = cand[labels[cand] != a]
            if not cand.size:
                continue
            b = labels[cand]
            ok = np.ones(cand.size, dtype=bool)
            if rules.allowed is not None:
                ok &= rules.allowed[i][b] & rules.allowed[cand, a]
            if rules.apart is not None:
                bad, _ = _apart_masks(rules, labels[None, :], i, cand, np.array([a]), p.k)
                ok &= ~bad[0]
            delta = np.zeros(cand.size)
            for codes, cnt, (lo, hi) in zip(p.cats, counts, bounds, strict=True):
                ci, cj = codes[i], codes[cand]
                diff = cj != ci

                def change(g, c, step, cnt=cnt, lo=lo, hi=hi):
                    now = cnt[g, c]
                    return _excess(now + step, lo[g, c], hi[g, c]) - _excess(
                        now, lo[g, c], hi[g, c]
                    )

                d = change(a, ci, -1) + change(a, cj, +1) + change(b, cj, -1) + change(b, ci, +1)
                delta += np.where(diff, d, 0)
            delta = np.where(ok, delta, np.inf)
            best = int(np.argmin(delta))
            if delta[best] < 0:
                j = int(cand[best])
                gb = int(labels[j])
                for codes, cnt in zip(p.cats, counts, strict=True):
                    cnt[a, codes[i]] -= 1
                    cnt[gb, codes[i]] += 1
                    cnt[gb, codes[j]] -= 1
                    cnt[a, codes[j]] += 1
                labels[i], labels[j] = gb, a
                improved = True
        if not improved:
            break
    return category_violation(p, labels) == 0
