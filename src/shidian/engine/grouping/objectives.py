"""Objective bookkeeping for the exchange search, batched over R restarts.

Each evaluator keeps, per restart, what makes the gain of a swap or a move cheap to compute for
all candidates at once:

- ``DiversityState``: the per-group distance sums S[r, x, g] = sum of d(x, y) over y in group g
  (anticlust's C code keeps the same sums). Swapping i (group a) with j (group b) changes the
  within-group distance sums by  dA = S[j,a] - d(i,j) - S[i,a]  and  dB = S[i,b] - d(i,j) - S[j,b],
  so the gains of all j come from two gathers and one distance row: O(N) per element.
- ``VarianceState``: per-group feature sums T[r, g]. The k-means (variance) objective, the
  within-group sum of squared distances to the centroid, equals the total sum of squares minus
  sum_g |T_g|^2 / n_g, so a swap or move changes it by a few dot products: O(M) per candidate.

With unequal group sizes (size bounds) the diversity is weighted by 1/n_g ("average diversity",
as anticlust does), otherwise moves would just grow the largest groups.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

DENSE_DISTANCE_LIMIT = 4000  # keep the N x N distance matrix up to here (128 MB)


def pairwise_row(x: np.ndarray, i: int) -> np.ndarray:
    diff = x - x[i]
    return np.sqrt(np.einsum("nm,nm->n", diff, diff))


def distance_matrix(x: np.ndarray) -> np.ndarray:
    sq = np.einsum("nm,nm->n", x, x)
    d2 = sq[:, None] + sq[None, :] - 2.0 * (x @ x.T)
    np.maximum(d2, 0.0, out=d2)
    np.fill_diagonal(d2, 0.0)
    return np.sqrt(d2)


def _group_slices(labels: np.ndarray, k: int):
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(k + 1))
    return [order[bounds[g] : bounds[g + 1]] for g in range(k)]


def diversity_value(x: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Sum over groups of the within-group pairwise Euclidean distances."""
    from scipy.spatial.distance import pdist

    total = 0.0
    for members in _group_slices(labels, k):
        if members.size > 1:
            total += float(pdist(x[members]).sum())
    return total


def variance_value(x: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Within-group sum of squared Euclidean distances to the group centroid (k-means)."""
    xc = x - x.mean(axis=0)
    sizes = np.bincount(labels, minlength=k).astype(float)
    between = 0.0
    for col in range(x.shape[1]):
        sums = np.bincount(labels, weights=xc[:, col], minlength=k)
        between += float((sums**2 / np.maximum(sizes, 1)).sum())
    return float((xc**2).sum()) - between


class DiversityState:
    """Per-group distance sums laid out (R, K, N), so the sums to one group are a contiguous row;
    ``own[r, x]`` caches the sum from x to its own group. Updates are vectorised over restarts."""

    def __init__(self, x: np.ndarray, lab: np.ndarray, sizes: np.ndarray, k: int, weighted: bool):
        self.x = x
        self.k = k
        self.weighted = weighted
        self.sizes = sizes  # shared with the search state (R, K)
        self.lab = lab  # shared too: still the old labels when apply_* runs
        n = x.shape[0]
        self.n = n
        self.d = distance_matrix(x) if n <= DENSE_DISTANCE_LIMIT else None
        r_count = lab.shape[0]
        if self.d is not None and r_count * n * k <= 5_000_000:
            onehot = np.zeros((r_count, k, n))
            onehot[np.arange(r_count)[:, None], lab, np.arange(n)[None, :]] = 1.0
            self.st = onehot @ self.d
        else:
            self.st = self._sums_by_block(x, lab, k)
        ar = np.arange(n)
        rr = np.arange(r_count)[:, None]
        self.own = self.st[rr, lab, ar[None, :]]
        self.dg = np.zeros((r_count, k))
        for r in range(r_count):
            self.dg[r] = 0.5 * np.bincount(lab[r], weights=self.own[r], minlength=k)

    def _sums_by_block(self, x, lab, k):
        r_count, n = lab.shape
        st = np.zeros((r_count, k, n))
        members = [
            csr_matrix((np.ones(n), (lab[r], np.arange(n))), shape=(k, n)) for r in range(r_count)
        ]
        sq = np.einsum("nm,nm->n", x, x)
        block = 1024
        for start in range(0, n, block):
            stop = min(start + block, n)
            if self.d is not None:
                rows = self.d[start:stop]
            else:
                rows = sq[start:stop, None] + sq[None, :] - 2.0 * (x[start:stop] @ x.T)
                np.maximum(rows, 0.0, out=rows)
                np.sqrt(rows, out=rows)
                rows[np.arange(stop - start), np.arange(start, stop)] = 0.0
            for r in range(r_count):
                st[r, :, start:stop] = members[r] @ rows.T
        return st

    def row(self, i: int) -> np.ndarray:
        return self.d[i] if self.d is not None else pairwise_row(self.x, i)

    def _rows(self, js) -> np.ndarray:
        if self.d is not None:
            return self.d[js]
        return np.stack([pairwise_row(self.x, int(j)) for j in js])

    def _w(self) -> np.ndarray:
        return 1.0 / self.sizes if self.weighted else np.ones_like(self.dg)

    def swap_gain(self, i, cand, a, lab_c, d_i):
        ar = np.arange(a.size)
        own_i = self.own[:, i]
        rows_a = self.st[ar, a]
        if cand.size == self.n:  # every item is a candidate (cand is 0..N-1)
            s_ja, own_j, dij = rows_a, self.own, d_i
        else:
            s_ja, own_j, dij = rows_a[:, cand], self.own[:, cand], d_i[cand]
        s_ib = self.st[:, :, i][ar[:, None], lab_c]
        d_a = s_ja - dij - own_i[:, None]
        d_b = s_ib - dij - own_j
        if not self.weighted:
            return d_a + d_b
        w = self._w()
        return d_a * w[ar, a][:, None] + d_b * np.take_along_axis(w, lab_c, axis=1)

    def _refresh_own(self, rs, a_s, b_s) -> None:
        lab = self.lab[rs]
        in_a = lab == a_s[:, None]
        in_b = lab == b_s[:, None]
        own = self.own[rs]
        own = np.where(in_a, self.st[rs, a_s], own)
        self.own[rs] = np.where(in_b, self.st[rs, b_s], own)

    def apply_swap(self, rs, i, js, a_s, b_s, d_i):
        st = self.st
        dij = d_i[js]
        self.dg[rs, a_s] += st[rs, a_s, js] - dij - st[rs, a_s, i]
        self.dg[rs, b_s] += st[rs, b_s, i] - dij - st[rs, b_s, js]
        delta = self._rows(js) - d_i[None, :]
        st[rs, a_s] += delta
        st[rs, b_s] -= delta
        self._refresh_own(rs, a_s, b_s)
        self.own[rs, i] = st[rs, b_s, i]
        self.own[rs, js] = st[rs, a_s, js]

    def move_gain(self, i, a):
        ar = np.arange(a.size)
        s_i = self.st[:, :, i]
        own_i = self.own[:, i]
        if not self.weighted:
            return s_i - own_i[:, None]
        n = self.sizes.astype(float)
        d_a = self.dg[ar, a]
        n_a = n[ar, a]
        after_a = np.where(n_a > 1, (d_a - own_i) / np.maximum(n_a - 1, 1), 0.0)
        g_a = after_a - d_a / n_a
        g_b = (self.dg + s_i) / (n + 1) - self.dg / np.maximum(n, 1)
        return g_a[:, None] + g_b

    def apply_move(self, rs, i, a_s, b_s, d_i):
        self.dg[rs, a_s] -= self.st[rs, a_s, i]
        self.dg[rs, b_s] += self.st[rs, b_s, i]
        self.st[rs, a_s] -= d_i[None, :]
        self.st[rs, b_s] += d_i[None, :]
        self._refresh_own(rs, a_s, b_s)
        self.own[rs, i] = self.st[rs, b_s, i]

    def values(self) -> np.ndarray:
        """The search objective per restart (weighted when sizes may differ)."""
        return (self.dg * self._w()).sum(axis=1)

    def plain_values(self) -> np.ndarray:
        return self.dg.sum(axis=1)


class VarianceState:
    def __init__(self, x: np.ndarray, lab: np.ndarray, sizes: np.ndarray, k: int):
        self.x = x - x.mean(axis=0)
        self.k = k
        self.sizes = sizes
        r_count = lab.shape[0]
        m = x.shape[1]
        self.t = np.zeros((r_count, k, m))
        for r in range(r_count):
            for col in range(m):
                self.t[r, :, col] = np.bincount(lab[r], weights=self.x[:, col], minlength=k)
        self.total_ss = float((self.x**2).sum())

    def row(self, i: int) -> None:
        return None

    def swap_gain(self, i, cand, a, lab_c, d_i):
        ar = np.arange(a.size)
        delta = self.x[cand] - self.x[i]
        dd = np.einsum("jm,jm->j", delta, delta)
        t_a = self.t[ar, a]
        n_a = self.sizes[ar, a].astype(float)
        t_b = self.t[ar[:, None], lab_c]
        n_b = np.take_along_axis(self.sizes, lab_c, axis=1).astype(float)
        dp = (2.0 * (t_a @ delta.T) + dd) / n_a[:, None]
        dp += (dd - 2.0 * np.einsum("rjm,jm->rj", t_b, delta)) / n_b
        return -dp

    def apply_swap(self, rs, i, js, a_s, b_s, d_i):
        delta = self.x[js] - self.x[i]
        self.t[rs, a_s] += delta
        self.t[rs, b_s] -= delta

    def move_gain(self, i, a):
        ar = np.arange(a.size)
        xi = self.x[i]
        n = self.sizes.astype(float)
        t_a = self.t[ar, a]
        n_a = n[ar, a]
        before_a = np.einsum("rm,rm->r", t_a, t_a) / n_a
        rest = t_a - xi
        after_a = np.where(n_a > 1, np.einsum("rm,rm->r", rest, rest) / np.maximum(n_a - 1, 1), 0)
        moved = self.t + xi
        before_b = np.einsum("rkm,rkm->rk", self.t, self.t) / np.maximum(n, 1)
        after_b = np.einsum("rkm,rkm->rk", moved, moved) / (n + 1)
        return -((after_a - before_a)[:, None] + after_b - before_b)

    def apply_move(self, rs, i, a_s, b_s, d_i):
        self.t[rs, a_s] -= self.x[i]
        self.t[rs, b_s] += self.x[i]

    def values(self) -> np.ndarray:
        n = np.maximum(self.sizes, 1).astype(float)
        return self.total_ss - (np.einsum("rkm,rkm->rk", self.t, self.t) / n).sum(axis=1)

    def plain_values(self) -> np.ndarray:
        return self.values()
