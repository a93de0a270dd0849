"""Batched exchange for the variance objective under every constraint, for thousands of items.

The item-by-item search (search.py) pays a dozen NumPy calls per item and pass; at 7,000 items
with leads, a distance limit, size bounds and two category columns that is ~2 s a pass and
60-70 s in all. Here the gains of a whole block of items against their candidate partners (and,
with size bounds, against a move to every group) come from a few array operations; the best
change of each row is then re-checked on the current state, scalar and exact, and made only when
it is still legal and still improves. Every change made keeps every hard constraint, so the
search stays a hill climb from a legal start.

Blocks and candidates:
- with --max-km (``rules.allowed``): a block is the movable members of one group ``a``; the
  candidates are the movable items of other groups that may sit in ``a`` (their lead within
  reach): the only items a member of ``a`` can ever trade with. Above ``MAX_SHARED`` candidates a
  random sample is taken each pass;
- otherwise: a block is a slice of a random order, each row trying its partner list (nearest
  neighbours in feature space), as in fastpath.py.

Category counts are kept lexicographically: a change may not raise the total excess over the
floor/ceil bounds of the groups it touches; a change lowering it is preferred to any gain in the
objective (this also repairs a start whose counts miss their bounds); otherwise the objective
decides. From a start inside the bounds this is exactly the rule of search.py.
"""

from __future__ import annotations

import time

import numpy as np

from shidian.engine.grouping.search import Rules
from shidian.engine.grouping.spec import Problem

MAX_SHARED = 1500  # candidates per group block (--max-km); above it a random sample per pass
BLOCK = 512  # rows per block with partner lists


def _excess(cnt, lo, hi):
    return np.maximum(cnt - hi, 0) + np.maximum(lo - cnt, 0)


class _State:
    def __init__(self, p: Problem, rules: Rules, lab: np.ndarray) -> None:
        self.p = p
        self.rules = rules
        self.lab = lab
        self.k = p.k
        self.x = p.x - p.x.mean(axis=0)
        self.sq = np.einsum("nm,nm->n", self.x, self.x)
        self.sizes = np.bincount(lab, minlength=p.k).astype(np.int64)
        self.t = np.zeros((p.k, self.x.shape[1]))
        np.add.at(self.t, lab, self.x)
        self.totals = [
            np.bincount(c, minlength=lv) for c, lv in zip(p.cats, p.n_levels, strict=True)
        ]
        self.cnt = []
        for c, lv in zip(p.cats, p.n_levels, strict=True):
            arr = np.zeros((p.k, lv), dtype=np.int64)
            np.add.at(arr, (lab, c), 1)
            self.cnt.append(arr)
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        for t in range(len(p.cats)):
            lo, hi = self.bounds(t, self.sizes)
            self.lo.append(lo)
            self.hi.append(hi)
        self.pg = None  # (N, K) apart partners of each item in each group
        if rules.apart_lists is not None:
            self.pg = np.zeros((p.n, p.k), dtype=np.int64)
            pa, pb = p.apart[:, 0], p.apart[:, 1]
            np.add.at(self.pg, (pa, lab[pb]), 1)
            np.add.at(self.pg, (pb, lab[pa]), 1)
            self.pairs = {(int(a), int(b)) for a, b in p.apart} | {
                (int(b), int(a)) for a, b in p.apart
            }

    def bounds(self, t: int, sizes):
        share = np.asarray(sizes, dtype=float)[..., None] * self.totals[t] / self.p.n
        return np.floor(share + 1e-9).astype(np.int64), np.ceil(share - 1e-9).astype(np.int64)

    def value(self) -> float:
        n = np.maximum(self.sizes, 1).astype(float)
        return float(self.sq.sum() - (np.einsum("km,km->k", self.t, self.t) / n).sum())

    def excess(self) -> int:
        return int(
            sum(
                _excess(c, lo, hi).sum()
                for c, lo, hi in zip(self.cnt, self.lo, self.hi, strict=True)
            )
        )

    # ---------------------------------------------------------------- exact, scalar re-checks

    def swap_change(self, i: int, j: int):
        """(legal, excess change, objective gain) of swapping i and j now."""
        a, b = int(self.lab[i]), int(self.lab[j])
        r = self.rules
        if a == b:
            return False, 0, 0.0
        if r.allowed is not None and not (r.allowed[i, b] and r.allowed[j, a]):
            return False, 0, 0.0
        if self.pg is not None:
            link = 1 if (i, j) in self.pairs else 0
            if self.pg[i, b] - link > 0 or self.pg[j, a] - link > 0:
                return False, 0, 0.0
        dexc = 0
        for c, cnt, lo, hi in zip(self.p.cats, self.cnt, self.lo, self.hi, strict=True):
            ci, cj = c[i], c[j]
            if ci == cj:
                continue
            for g, lv, step in ((a, ci, -1), (a, cj, 1), (b, cj, -1), (b, ci, 1)):
                now = cnt[g, lv]
                dexc += int(
                    _excess(now + step, lo[g, lv], hi[g, lv]) - _excess(now, lo[g, lv], hi[g, lv])
                )
        d = self.x[j] - self.x[i]
        dd = float(d @ d)
        change = (2.0 * float(self.t[a] @ d) + dd) / self.sizes[a]
        change += (dd - 2.0 * float(self.t[b] @ d)) / self.sizes[b]
        return dexc <= 0, dexc, -change

    def move_change(self, i: int, g: int):
        a = int(self.lab[i])
        r = self.rules
        if a == g or self.sizes[a] <= r.size_lo or self.sizes[g] >= r.size_hi:
            return False, 0, 0.0
        if r.allowed is not None and not r.allowed[i, g]:
            return False, 0, 0.0
        if self.pg is not None and self.pg[i, g] > 0:
            return False, 0, 0.0
        dexc = 0
        two = np.array([a, g])
        after_sizes = self.sizes[two] + np.array([-1, 1])
        for t, (c, cnt, lo, hi) in enumerate(
            zip(self.p.cats, self.cnt, self.lo, self.hi, strict=True)
        ):
            before = _excess(cnt[two], lo[two], hi[two]).sum()
            new = cnt[two].copy()
            new[0, c[i]] -= 1
            new[1, c[i]] += 1
            lo2, hi2 = self.bounds(t, after_sizes)
            dexc += int(_excess(new, lo2, hi2).sum() - before)
        xi = self.x[i]
        na, ng = float(self.sizes[a]), float(self.sizes[g])
        ta, tg = self.t[a], self.t[g]
        rest = ta - xi
        moved = tg + xi
        change = float(rest @ rest) / (na - 1) - float(ta @ ta) / na
        change += float(moved @ moved) / (ng + 1) - float(tg @ tg) / ng
        return dexc <= 0, dexc, -change

    # ---------------------------------------------------------------- updates

    def _relabel(self, i: int, a: int, b: int) -> None:
        self.lab[i] = b
        for c, cnt in zip(self.p.cats, self.cnt, strict=True):
            cnt[a, c[i]] -= 1
            cnt[b, c[i]] += 1
        if self.pg is not None:
            nb = self.rules.apart_lists[i]  # type: ignore[index]
            if nb.size:
                self.pg[nb, a] -= 1  # apart lists hold each partner once
                self.pg[nb, b] += 1

    def swap(self, i: int, j: int) -> None:
        a, b = int(self.lab[i]), int(self.lab[j])
        d = self.x[j] - self.x[i]
        self.t[a] += d
        self.t[b] -= d
        self._relabel(i, a, b)
        self._relabel(j, b, a)

    def move(self, i: int, g: int) -> None:
        a = int(self.lab[i])
        self.t[a] -= self.x[i]
        self.t[g] += self.x[i]
        self._relabel(i, a, g)
        self.sizes[a] -= 1
        self.sizes[g] += 1
        for t in range(len(self.p.cats)):
            lo, hi = self.bounds(t, self.sizes[[a, g]])
            self.lo[t][[a, g]] = lo
            self.hi[t][[a, g]] = hi

    # ---------------------------------------------------------------- vectorised proposals

    def swap_scores(self, idx: np.ndarray, part: np.ndarray) -> np.ndarray:
        """(B, P) lexicographic scores of swapping each row with each candidate (-inf: illegal)."""
        r = self.rules
        lab = self.lab
        a = lab[idx]
        pc = np.maximum(part, 0)
        b = lab[pc]
        valid = (part >= 0) & r.movable[pc] & (b != a[:, None])
        valid &= r.role[pc] == r.role[idx][:, None]
        if r.allowed is not None:
            valid &= r.allowed[idx[:, None], b] & r.allowed[pc, a[:, None]]
        if self.pg is not None:
            valid &= (self.pg[idx[:, None], b] == 0) & (self.pg[pc, a[:, None]] == 0)
        dexc = np.zeros(part.shape, dtype=np.int64)
        for c, cnt, lo, hi in zip(self.p.cats, self.cnt, self.lo, self.hi, strict=True):
            now = _excess(cnt, lo, hi)
            em = _excess(cnt - 1, lo, hi) - now
            ep = _excess(cnt + 1, lo, hi) - now
            ci = c[idx][:, None]
            cj = c[pc]
            d = em[a[:, None], ci] + ep[a[:, None], cj] + em[b, cj] + ep[b, ci]
            dexc += np.where(ci != cj, d, 0)
        valid &= dexc <= 0
        xi = self.x[idx]
        delta = self.x[pc] - xi[:, None, :]
        dd = np.einsum("bpm,bpm->bp", delta, delta)
        na = self.sizes[a].astype(float)[:, None]
        nb = self.sizes[b].astype(float)
        dp = (2.0 * np.einsum("bm,bpm->bp", self.t[a], delta) + dd) / na
        dp += (dd - 2.0 * np.einsum("bpm,bpm->bp", self.t[b], delta)) / nb
        return _lexi(valid, dexc, -dp)

    def move_scores(self, idx: np.ndarray) -> np.ndarray:
        """(B, K) lexicographic scores of moving each row to each group (-inf: illegal)."""
        r = self.rules
        a = self.lab[idx]
        k = self.k
        ar = np.arange(idx.size)
        valid = np.repeat(r.can_move[idx][:, None], k, axis=1)
        valid &= (self.sizes[a] > r.size_lo)[:, None] & (self.sizes < r.size_hi)[None, :]
        valid[ar, a] = False
        if r.allowed is not None:
            valid &= r.allowed[idx]
        if self.pg is not None:
            valid &= self.pg[idx] == 0
        dexc = np.zeros((idx.size, k), dtype=np.int64)  # bounds held still: re-checked exactly
        for c, cnt, lo, hi in zip(self.p.cats, self.cnt, self.lo, self.hi, strict=True):
            now = _excess(cnt, lo, hi)
            em = _excess(cnt - 1, lo, hi) - now
            ep = _excess(cnt + 1, lo, hi) - now
            ci = c[idx]
            dexc += em[a, ci][:, None] + ep[:, ci].T
        xi = self.x[idx]
        n = self.sizes.astype(float)
        tt = np.einsum("km,km->k", self.t, self.t)
        tx = xi @ self.t.T  # (B, K)
        na = n[a]
        rest = tt[a] - 2.0 * tx[ar, a] + self.sq[idx]
        d_a = rest / np.maximum(na - 1, 1) - tt[a] / na
        d_g = (tt[None, :] + 2.0 * tx + self.sq[idx][:, None]) / (n + 1) - tt[None, :] / n
        return _lexi(valid, dexc, -(d_a[:, None] + d_g))


def _lexi(valid: np.ndarray, dexc: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """One score ordering by excess removed first, objective gain second."""
    finite = np.where(valid, np.abs(gain), 0.0)
    big = 2.0 * float(finite.max(initial=0.0)) + 1.0
    return np.where(valid, gain - dexc * big, -np.inf)


def batched_search(
    p: Problem,
    lab: np.ndarray,
    rules: Rules,
    rng: np.random.Generator,
    *,
    partners: np.ndarray | None,
    max_passes: int,
    deadline: float | None,
    min_gain: float = 1e-9,
) -> int:
    """Improve ``lab`` (N,) in place; return the number of passes made."""
    s = _State(p, rules, lab)
    tol = 1e-12 * (float(s.sq.sum()) + 1.0)
    passes = 0
    for _ in range(max_passes):
        passes += 1
        before, before_exc = s.value(), s.excess()
        changes = 0
        for idx, part in _blocks(s, rng, partners):
            scores = s.swap_scores(idx, part)
            pick = np.argmax(scores, axis=1) if part.shape[1] else np.zeros(idx.size, np.int64)
            best = (
                scores[np.arange(idx.size), pick] if part.shape[1] else np.full(idx.size, -np.inf)
            )
            target = np.full(idx.size, -1, dtype=np.int64)
            if rules.moves:
                ms = s.move_scores(idx)
                to = np.argmax(ms, axis=1)
                mbest = ms[np.arange(idx.size), to]
                use_move = mbest > best
                best = np.where(use_move, mbest, best)
                target = np.where(use_move, to, -1)
            rows = np.flatnonzero(best > tol)
            for row in rows[np.argsort(-best[rows], kind="stable")]:
                i = int(idx[row])
                if target[row] >= 0:
                    g = int(target[row])
                    legal, dexc, gain = s.move_change(i, g)
                    if legal and (dexc < 0 or gain > tol):
                        s.move(i, g)
                        changes += 1
                else:
                    j = int(part[row, pick[row]])
                    legal, dexc, gain = s.swap_change(i, j)
                    if legal and (dexc < 0 or gain > tol):
                        s.swap(i, j)
                        changes += 1
            if deadline is not None and time.monotonic() > deadline:
                return passes
        if changes == 0:
            break
        # a pass gaining less than min_gain of the objective (and fixing no count) ends the search
        if s.excess() == before_exc and s.value() - before < min_gain * abs(before):
            break
    return passes


def _blocks(s: _State, rng: np.random.Generator, partners: np.ndarray | None):
    r = s.rules
    if r.allowed is not None:
        for a in rng.permutation(s.k):
            idx = np.flatnonzero((s.lab == a) & r.movable)
            if not idx.size:
                continue
            cand = np.flatnonzero(r.movable & r.allowed[:, a] & (s.lab != a))
            if cand.size > MAX_SHARED:
                cand = np.sort(rng.choice(cand, MAX_SHARED, replace=False))
            if not cand.size and not r.moves:
                continue
            yield idx, np.broadcast_to(cand, (idx.size, cand.size))
        return
    assert partners is not None
    order = rng.permutation(np.flatnonzero(r.movable))
    for start in range(0, order.size, BLOCK):
        idx = order[start : start + BLOCK]
        yield idx, partners[idx]
