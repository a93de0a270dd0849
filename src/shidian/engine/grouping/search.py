"""The exchange / local-maximum search (Papenberg & Klau 2021; anticlust's exchange method).

For every item i in turn, the gain of swapping i with every legal partner j (and, with size
bounds, of moving i to every other group) is computed at once with NumPy; the best improving
change is made. One pass over all items is anticlust's "exchange" method; repeating passes until
no change improves is its "local-maximum" method. R restarts run side by side as a batch (the
arrays carry a leading restart axis), so restarts on small data cost little more than one run.

Constraints are kept by only ever making legal changes from a legal start:
- categories: a change may not push any group's count of any level outside floor/ceil of its
  share (anticlust instead restricts swaps to the same category; ours also lets different
  categories swap when the counts allow, and combines with apart/together pairs);
- leads swap only with leads (each group keeps exactly one); with --max-km leads stay put and a
  member may only enter a group whose lead is within the distance;
- apart pairs: no change puts an item into a group holding one of its apart partners;
- together pairs and fixed items are pinned (the start places them).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from shidian.engine.grouping.spec import Problem


@dataclass
class Rules:
    movable: np.ndarray  # (N,) may take part in swaps
    role: np.ndarray  # (N,) swap class: leads swap only with leads
    can_move: np.ndarray  # (N,) may be moved alone (size bounds)
    allowed: np.ndarray | None  # (N, K) may item sit in group (max-km to the fixed lead)
    apart: csr_matrix | None
    apart_lists: list[np.ndarray] | None
    has_apart: np.ndarray  # (N,) item has at least one apart partner
    moves: bool
    size_lo: int
    size_hi: int


def make_rules(p: Problem, lead_items: np.ndarray | None) -> Rules:
    n, k = p.n, p.k
    comp_size = np.bincount(p.together_comp)[p.together_comp]
    movable = (p.fixed < 0) & (comp_size == 1)
    role = np.zeros(n, dtype=np.int64)
    allowed = None
    if lead_items is not None:
        role[lead_items] = 1
        if p.max_km is not None and p.lead_km is not None and p.lead_cands is not None:
            movable[lead_items] = False
            col = np.searchsorted(p.lead_cands, lead_items)
            allowed = p.lead_km[:, col] <= p.max_km
            allowed[lead_items, np.arange(k)] = True
    apart = None
    lists = None
    if len(p.apart):
        a, b = p.apart[:, 0], p.apart[:, 1]
        data = np.ones(2 * len(a))
        apart = csr_matrix((data, (np.r_[a, b], np.r_[b, a])), shape=(n, n))
        apart.data[:] = 1.0
        lists = [apart.indices[apart.indptr[i] : apart.indptr[i + 1]] for i in range(n)]
    moves = not p.equal_sizes and p.size_hi > p.size_lo
    return Rules(
        movable=movable,
        role=role,
        can_move=movable & (role == 0),
        allowed=allowed,
        apart=apart,
        apart_lists=lists,
        has_apart=np.zeros(n, dtype=bool) if apart is None else np.diff(apart.indptr) > 0,
        moves=moves,
        size_lo=p.size_lo,
        size_hi=p.size_hi,
    )


class Counts:
    """Category counts per restart, group and level, with their floor/ceil bounds."""

    def __init__(self, p: Problem, lab: np.ndarray, sizes: np.ndarray):
        self.cats = p.cats
        self.n = p.n
        self.totals = [
            np.bincount(c, minlength=lv) for c, lv in zip(p.cats, p.n_levels, strict=True)
        ]
        self.cnt = []
        for c, lv in zip(p.cats, p.n_levels, strict=True):
            arr = np.zeros((lab.shape[0], p.k, lv), dtype=np.int64)
            for r in range(lab.shape[0]):
                np.add.at(arr[r], (lab[r], c), 1)
            self.cnt.append(arr)
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.refresh(sizes)

    def bounds(self, t: int, sizes: np.ndarray):
        share = sizes[..., None] * self.totals[t] / self.n
        return np.floor(share + 1e-9), np.ceil(share - 1e-9)

    def refresh(self, sizes: np.ndarray) -> None:
        self.lo, self.hi = [], []
        for t in range(len(self.cats)):
            lo, hi = self.bounds(t, sizes)
            self.lo.append(lo)
            self.hi.append(hi)

    def swap_ok(self, i, cand, a, lab_c):
        r_count = a.size
        ar = np.arange(r_count)
        rr = ar[:, None]
        ok = np.ones((r_count, cand.size), dtype=bool)
        for t, c in enumerate(self.cats):
            ci = c[i]
            cj = c[cand]
            diff = cj != ci
            if not diff.any():
                continue
            cnt, lo, hi = self.cnt[t], self.lo[t], self.hi[t]
            out_a = cnt[ar, a, ci] - 1 >= lo[ar, a, ci]
            in_a = cnt[rr, a[:, None], cj[None, :]] + 1 <= hi[rr, a[:, None], cj[None, :]]
            out_b = cnt[rr, lab_c, cj[None, :]] - 1 >= lo[rr, lab_c, cj[None, :]]
            in_b = cnt[rr, lab_c, ci] + 1 <= hi[rr, lab_c, ci]
            ok &= ~diff[None, :] | (out_a[:, None] & in_a & out_b & in_b)
        return ok

    def move_ok(self, i, a, sizes):
        r_count = a.size
        ar = np.arange(r_count)
        ok = np.ones((r_count, sizes.shape[1]), dtype=bool)
        for t, c in enumerate(self.cats):
            ci = c[i]
            cnt = self.cnt[t]
            after_a = cnt[ar, a].copy()
            after_a[:, ci] -= 1
            lo_a, hi_a = self.bounds(t, sizes[ar, a] - 1)
            ok &= np.all((after_a >= lo_a) & (after_a <= hi_a), axis=1)[:, None]
            after_b = cnt.copy()
            after_b[:, :, ci] += 1
            lo_b, hi_b = self.bounds(t, sizes + 1)
            ok &= np.all((after_b >= lo_b) & (after_b <= hi_b), axis=2)
        return ok

    def apply(self, rs, i, a_s, b_s, js=None):
        for t, c in enumerate(self.cats):
            cnt = self.cnt[t]
            cnt[rs, a_s, c[i]] -= 1
            cnt[rs, b_s, c[i]] += 1
            if js is not None:
                cnt[rs, b_s, c[js]] -= 1
                cnt[rs, a_s, c[js]] += 1


def _apart_masks(rules: Rules, lab, i, cand, a, k):
    """(R, C) masks: i may not join cand's group; cand may not join group a."""
    assert rules.apart is not None and rules.apart_lists is not None
    r_count = a.size
    ar = np.arange(r_count)
    nbrs = rules.apart_lists[i]
    is_nbr = np.isin(cand, nbrs) if nbrs.size else np.zeros(cand.size, dtype=bool)
    in_group = np.zeros((r_count, k))
    bad = np.zeros((r_count, cand.size), dtype=bool)
    if nbrs.size:
        np.add.at(in_group, (np.repeat(ar, nbrs.size), lab[:, nbrs].ravel()), 1)
        bad |= np.take_along_axis(in_group, lab[:, cand], axis=1) - is_nbr[None, :] > 0
    # only candidates with apart partners of their own can be barred from group a
    idx = np.flatnonzero(rules.has_apart[cand])
    if idx.size:
        member_a = (lab == a[:, None]).astype(float)
        cnt_a = (rules.apart[cand[idx]] @ member_a.T).T
        bad[:, idx] |= cnt_a - is_nbr[idx][None, :] > 0
    return bad, in_group


def local_search(
    ev,
    lab: np.ndarray,
    sizes: np.ndarray,
    counts: Counts | None,
    rules: Rules,
    *,
    k: int,
    partners: np.ndarray | None,
    max_passes: int,
    rng: np.random.Generator,
    kick_rows: np.ndarray | None = None,
    deadline: float | None = None,
    on_pass=None,
) -> int:
    """Improve every restart (row of ``lab``) in place; return the number of passes made.

    With ``kick_rows`` the pass instead makes one random legal swap per item in those rows
    (the random start of a restart that keeps every constraint).
    """
    r_count, n = lab.shape
    ar = np.arange(r_count)
    everyone = np.arange(n)
    order = rng.permutation(n)
    kick = kick_rows is not None
    # without partner lists every movable item of the same role is a candidate: precomputed
    pools = {
        int(role): everyone[rules.movable & (rules.role == role)] for role in np.unique(rules.role)
    }
    none_gain = np.full(r_count, -np.inf)  # shared, never written to
    none_index = np.zeros(r_count, dtype=np.int64)
    passes = 0
    for _ in range(max_passes):
        passes += 1
        improved = False
        before = ev.values()
        tol = 1e-10 * (np.abs(before) + 1.0)
        for i in order:
            if not rules.movable[i]:
                continue
            a = lab[:, i].copy()
            if partners is None:
                cand = pools[int(rules.role[i])]
            else:
                cand = partners[i]
                cand = cand[(cand >= 0) & rules.movable[cand] & (rules.role[cand] == rules.role[i])]
            d_i = ev.row(i)
            best_gain = none_gain
            best_j = none_index
            in_group = None
            if cand.size:
                lab_c = lab[:, cand]
                valid = lab_c != a[:, None]
                if rules.allowed is not None:
                    valid &= rules.allowed[i][lab_c] & rules.allowed[cand[None, :], a[:, None]]
                if counts is not None:
                    valid &= counts.swap_ok(i, cand, a, lab_c)
                if rules.apart is not None:
                    bad, in_group = _apart_masks(rules, lab, i, cand, a, k)
                    valid &= ~bad
                if kick:
                    gain = np.where(valid, rng.random(valid.shape), -np.inf)
                    gain[~np.isin(ar, np.asarray(kick_rows))] = -np.inf
                else:
                    gain = np.where(valid, ev.swap_gain(i, cand, a, lab_c, d_i), -np.inf)
                pick = np.argmax(gain, axis=1)
                best_gain = gain[ar, pick]
                best_j = cand[pick]
            move_gain = none_gain
            move_to = none_index
            if rules.moves and rules.can_move[i] and not kick:
                mg = ev.move_gain(i, a)
                ok = (sizes[ar, a] > rules.size_lo)[:, None] & (sizes < rules.size_hi)
                ok[ar, a] = False
                if rules.allowed is not None:
                    ok &= rules.allowed[i][None, :]
                nb = rules.apart_lists[i] if rules.apart_lists is not None else None
                if nb is not None and nb.size:
                    if in_group is None:
                        in_group = np.zeros((r_count, k))
                        np.add.at(in_group, (np.repeat(ar, nb.size), lab[:, nb].ravel()), 1)
                    ok &= in_group == 0
                if counts is not None:
                    ok &= counts.move_ok(i, a, sizes)
                mg = np.where(ok, mg, -np.inf)
                move_to = np.argmax(mg, axis=1)
                move_gain = mg[ar, move_to]
            threshold = 0.0 if kick else tol
            do_swap = (best_gain > threshold) & (best_gain >= move_gain)
            do_move = (move_gain > threshold) & ~do_swap
            if do_swap.any():
                rs = ar[do_swap]
                js = best_j[do_swap]
                a_s = a[do_swap]
                b_s = lab[rs, js]
                ev.apply_swap(rs, i, js, a_s, b_s, d_i)
                if counts is not None:
                    counts.apply(rs, i, a_s, b_s, js)
                lab[rs, i] = b_s
                lab[rs, js] = a_s
                improved = True
            if do_move.any():
                rs = ar[do_move]
                a_s = a[do_move]
                b_s = move_to[do_move]
                ev.apply_move(rs, i, a_s, b_s, d_i)
                if counts is not None:
                    counts.apply(rs, i, a_s, b_s)
                lab[rs, i] = b_s
                sizes[rs, a_s] -= 1
                sizes[rs, b_s] += 1
                if counts is not None:
                    counts.refresh(sizes)
                improved = True
        if on_pass is not None:
            on_pass()
        if kick or not improved:
            break
        # with partner lists (large N) stop once a pass gains less than 1e-6 of the objective
        if partners is not None and np.all(ev.values() - before <= 1e-6 * np.abs(before)):
            break
        if deadline is not None and time.monotonic() > deadline:
            break
    return passes
