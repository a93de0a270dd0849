"""Closed-form fast paths for a balanced panel without covariates.

In a balanced panel the two-way within transformation is closed-form: x_it - x_i. - x_.t + x..
is exactly the residual of x on unit and period dummies, so TWFE (and the event study) is OLS on
demeaned columns (Frisch-Waugh-Lovell) with the clustered covariance read off the same residuals.
Without covariates every Callaway & Sant'Anna ATT(g, t) is a difference of group means of
Y_t - Y_base, and its influence function is explicit; the aggregations and their analytic SEs
follow the R package ``did`` (``compute.aggte``: group shares as weights, plus the term for
estimating them). The general path (linearmodels, moderndid) stays for unbalanced panels,
covariates and repeated cross-sections; the tests hold both to 1e-10 on random panels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shidian.engine.did.panel import Panel

# Products over the n units are written as einsum or (a * b).sum(), not `@`: a BLAS level-1/2
# call wakes OpenBLAS's thread pool, which on a busy machine costs ~15 ms each (measured: 1 s of
# the 50,000-unit run); numpy's own loops take microseconds here. Only the Gram matrix of the
# influence functions (level 3) goes to BLAS.

# moderndid/did report an SE at or below this as "not estimated" (NaN): the reference cell.
TINY_SE = float(np.sqrt(np.finfo(float).eps) * 10)


@dataclass
class Wide:
    """The panel as an n x T matrix, one row per unit (units sorted by id)."""

    y: np.ndarray  # (n, T) outcome
    g: np.ndarray  # (n,) first treated period, ordinal (0 = never)
    cl: np.ndarray  # (n,) cluster code per unit, 0..G-1
    clusters: int


def wide(panel: Panel) -> Wide | None:
    """The matrix form when the fast paths apply: balanced, no covariates, clusters nest units.
    Built once per panel (TWFE, the event study and Callaway & Sant'Anna share it)."""
    if "wide" not in panel.cache:
        panel.cache["wide"] = _wide(panel)
    return panel.cache["wide"]


def _wide(panel: Panel) -> Wide | None:
    if panel.cross_section or not panel.balanced or panel.covariates:
        return None
    data = panel.data
    units, row = np.unique(data["uid"].to_numpy(), return_inverse=True)
    n, periods = len(units), panel.periods
    col = data["t"].to_numpy() - 1
    if col.max() >= periods:  # periods are 1..T after prepare_panel; guard anyway
        return None
    y = np.empty((n, periods))
    y[row, col] = data["y"].to_numpy(dtype=float)
    g = np.zeros(n, dtype=np.int64)
    g[row] = data["g"].to_numpy()
    cl_rows = pd.factorize(data["cl"].to_numpy())[0]
    cl = np.full(n, -1, dtype=np.int64)
    cl[row] = cl_rows
    if not np.array_equal(cl[row], cl_rows):  # a unit in two clusters: general path
        return None
    return Wide(y=y, g=g, cl=cl, clusters=int(cl_rows.max()) + 1)


def demean(x: np.ndarray) -> np.ndarray:
    """Two-way within transformation of an (n, T) matrix (balanced panel)."""
    return x - x.mean(axis=1, keepdims=True) - x.mean(axis=0, keepdims=True) + x.mean()


@dataclass
class FeFit:
    params: np.ndarray
    cov: np.ndarray


def fe_ols(w: Wide, regressors: list[np.ndarray]) -> FeFit | None:
    """y on regressors with unit and period effects; clustered covariance with the engine's
    convention (Stata ``xtreg, fe vce(cluster)``, as linearmodels with count_effects=False):
    scaled by G/(G-1) and (N-1)/(N-K), K the regressors only. None if a regressor is absorbed."""
    yd = demean(w.y).ravel()
    x = np.column_stack([demean(r).ravel() for r in regressors])
    xtx = np.einsum("ij,ik->jk", x, x)
    # Collinear after demeaning (e.g. every lead and lag without never-treated units): the
    # general path drops the absorbed columns as linearmodels does.
    if not np.isfinite(xtx).all() or np.linalg.cond(xtx) > 1e12:
        return None
    xtx_inv = np.linalg.inv(xtx)
    beta = xtx_inv @ np.einsum("ij,i->j", x, yd)
    resid = yd - np.einsum("ij,j->i", x, beta)
    periods = w.y.shape[1]
    scores = x * resid[:, None]
    if w.clusters == len(w.cl):  # unit clusters: sum each unit's T rows
        by_cluster = scores.reshape(-1, periods, x.shape[1]).sum(axis=1)
    else:
        rows_cl = np.repeat(w.cl, periods)
        by_cluster = np.column_stack(
            [
                np.bincount(rows_cl, weights=scores[:, j], minlength=w.clusters)
                for j in range(x.shape[1])
            ]
        )
    meat = np.einsum("ij,ik->jk", by_cluster, by_cluster)
    n_obs, k, n_cl = len(yd), x.shape[1], w.clusters
    scale = n_cl / (n_cl - 1) * (n_obs - 1) / (n_obs - k)
    cov = scale * xtx_inv @ meat @ xtx_inv
    if not (np.diag(cov) > 0).all():
        return None
    return FeFit(beta, cov)


def treatment_matrix(w: Wide) -> np.ndarray:
    t = np.arange(1, w.y.shape[1] + 1)
    return ((w.g[:, None] > 0) & (t[None, :] >= w.g[:, None])).astype(float)


@dataclass
class GroupTime:
    """ATT(g, t) cells as moderndid returns them (universal base period g - 1)."""

    groups: np.ndarray  # ordinal cohort of each cell
    times: np.ndarray  # ordinal period of each cell
    att: np.ndarray
    inf: np.ndarray  # (n, cells) influence functions, scaled as did's inffunc
    se: np.ndarray
    unit_groups: np.ndarray  # (n,) cohort of each unit
    wald_p: float | None


def att_gt(w: Wide, control_group: str) -> GroupTime:
    """Group-time ATTs with never-treated or not-yet-treated controls, universal base period."""
    y, ug = w.y, w.g
    n, periods = y.shape
    cohorts = np.unique(ug[ug > 0])
    if not (ug == 0).any():  # as did: drop the periods once the last cohort is treated
        periods = int(cohorts.max()) - 1
    cells_g, cells_t, atts, infs = [], [], [], []
    by_period = np.ascontiguousarray(y.T)  # rows are periods: contiguous columns of y
    never = (ug == 0).astype(float)
    for g in cohorts:
        base = g - 1  # ordinal period; prepare_panel drops units treated from their first period
        treated = (ug == g).astype(float)
        n_t = treated.sum()
        for t in range(1, periods + 1):
            cells_g.append(g)
            cells_t.append(t)
            if t == base:  # the reference period: zero by construction
                atts.append(0.0)
                infs.append(np.zeros(n))
                continue
            if control_group == "notyettreated":
                control = never + ((ug > max(t, base)) & (ug != g))
            else:
                control = never
            n_c = control.sum()
            if n_t == 0 or n_c == 0:
                atts.append(np.nan)
                infs.append(np.full(n, np.nan))
                continue
            dy = by_period[t - 1] - by_period[base - 1]
            m_t = (treated * dy).sum() / n_t
            m_c = (control * dy).sum() / n_c
            atts.append(m_t - m_c)
            infs.append(n * (treated * (dy - m_t) / n_t - control * (dy - m_c) / n_c))
    groups, times = np.asarray(cells_g), np.asarray(cells_t)
    att = np.asarray(atts, dtype=float)
    inf = np.column_stack(infs)
    variance = inf.T @ inf / n
    se = np.sqrt(np.diag(variance) / n)
    se[~(se > TINY_SE)] = np.nan
    return GroupTime(
        groups, times, att, inf, se, ug, _wald_pretest(groups, times, att, se, variance, n)
    )


def _wald_pretest(groups, times, att, se, variance, n) -> float | None:
    """did's pre-test: all pre-period ATT(g, t) are zero (cells with an SE), chi-square."""
    from scipy import special

    pre = np.flatnonzero((groups > times) & ~np.isnan(se))
    if len(pre) == 0:
        return None
    v = variance[np.ix_(pre, pre)]
    if np.isnan(v).any() or np.linalg.norm(v) == 0 or np.linalg.matrix_rank(v) < len(pre):
        return None
    stat = float(n * att[pre] @ np.linalg.solve(v, att[pre]))
    return round(float(1 - special.chdtr(len(pre), stat)), 5)


@dataclass
class Aggregate:
    overall: float
    overall_se: float
    labels: np.ndarray  # cohort (group) or event time (dynamic); empty for simple
    estimates: np.ndarray
    ses: np.ndarray
    overall_inf: np.ndarray


def _se(inf: np.ndarray) -> float:
    se = float(np.sqrt(np.mean(inf**2) / inf.shape[0]))
    return se if se > TINY_SE else float("nan")


def _weight_inf_times(
    keep_groups: np.ndarray, pg_keep: np.ndarray, att_keep: np.ndarray, unit_groups: np.ndarray
) -> np.ndarray:
    """did's ``wif`` (the influence of estimating the group shares used as weights, an (n, k)
    matrix) times the kept ATTs, without forming the matrix: for unit i, wif[i, k] =
    (1{G_i = g_k} - pg_k) / P - (sum_j (1{G_i = g_j} - pg_j)) pg_k / P^2, P = sum_k pg_k."""
    total = pg_keep.sum()
    cohorts, inverse = np.unique(keep_groups, return_inverse=True)
    att_sum = np.bincount(inverse, weights=att_keep, minlength=len(cohorts))
    count = np.bincount(inverse, minlength=len(cohorts)).astype(float)
    slot = np.searchsorted(cohorts, unit_groups)
    slot = np.clip(slot, 0, len(cohorts) - 1)
    member = cohorts[slot] == unit_groups
    member_att = np.where(member, att_sum[slot], 0.0) - pg_keep @ att_keep
    member_count = np.where(member, count[slot], 0.0) - pg_keep.sum()
    return member_att / total - member_count * (pg_keep @ att_keep) / total**2


def aggregate(gt: GroupTime, kind: str) -> Aggregate:
    """did's ``aggte`` (na.rm = TRUE, no bootstrap): simple, group or dynamic."""
    ok = ~np.isnan(gt.att)
    groups, times, att, inf = gt.groups[ok], gt.times[ok], gt.att[ok], gt.inf[:, ok]
    if kind == "group":  # drop cohorts without a post-period cell
        with_post = np.unique(groups[groups <= times])
        keep = np.isin(groups, with_post)
        groups, times, att, inf = groups[keep], times[keep], att[keep], inf[:, keep]
    ug = gt.unit_groups
    cohorts = np.unique(groups)
    pg_cohort = np.array([np.mean(ug == g) for g in cohorts])
    pg = pg_cohort[np.searchsorted(cohorts, groups)]
    empty = np.array([])

    def weighted(mask: np.ndarray) -> tuple[float, np.ndarray]:
        w = pg[mask] / pg[mask].sum()
        est = float(att[mask] @ w)
        wif_att = _weight_inf_times(groups[mask], pg[mask], att[mask], ug)
        return est, np.einsum("ij,j->i", inf[:, mask], w) + wif_att

    if kind == "simple":
        est, if_ = weighted(groups <= times)
        return Aggregate(est, _se(if_), empty, empty, empty, if_)
    if kind == "group":
        ests, ifs = [], []
        for g in cohorts:
            mask = (groups == g) & (g <= times)
            ests.append(float(att[mask].mean()))
            ifs.append(inf[:, mask].mean(axis=1))
        est_g, inf_g = np.asarray(ests), np.column_stack(ifs)
        w = pg_cohort / pg_cohort.sum()
        if_ = np.einsum("ij,j->i", inf_g, w) + _weight_inf_times(cohorts, pg_cohort, est_g, ug)
        ses = np.array([_se(inf_g[:, j]) for j in range(len(cohorts))])
        return Aggregate(float(est_g @ w), _se(if_), cohorts, est_g, ses, if_)
    event = times - groups
    events = np.unique(event)
    ests, ifs = [], []
    for e in events:
        est, if_ = weighted(event == e)
        ests.append(est)
        ifs.append(if_)
    est_e, inf_e = np.asarray(ests), np.column_stack(ifs)
    post = events >= 0
    if_ = inf_e[:, post].mean(axis=1)
    ses = np.array([_se(inf_e[:, j]) for j in range(len(events))])
    return Aggregate(float(est_e[post].mean()), _se(if_), events, est_e, ses, if_)
