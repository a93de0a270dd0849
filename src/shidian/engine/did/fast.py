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
    """The matrix form when the fast paths apply: balanced, no covariates, clusters nest units."""
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
    xtx = x.T @ x
    if np.linalg.matrix_rank(xtx) < x.shape[1]:
        return None
    xtx_inv = np.linalg.inv(xtx)
    beta = xtx_inv @ (x.T @ yd)
    resid = yd - x @ beta
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
    meat = by_cluster.T @ by_cluster
    n_obs, k, n_cl = len(yd), x.shape[1], w.clusters
    scale = n_cl / (n_cl - 1) * (n_obs - 1) / (n_obs - k)
    return FeFit(beta, scale * xtx_inv @ meat @ xtx_inv)


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
    for g in cohorts:
        base = g - 1  # ordinal period; prepare_panel drops units treated from their first period
        treated = ug == g
        n_t = treated.sum()
        for t in range(1, periods + 1):
            cells_g.append(g)
            cells_t.append(t)
            if t == base:  # the reference period: zero by construction
                atts.append(0.0)
                infs.append(np.zeros(n))
                continue
            if control_group == "notyettreated":
                control = (ug == 0) | ((ug > max(t, base)) & (ug != g))
            else:
                control = ug == 0
            n_c = control.sum()
            if n_t == 0 or n_c == 0:
                atts.append(np.nan)
                infs.append(np.full(n, np.nan))
                continue
            dy = y[:, t - 1] - y[:, base - 1]
            m_t = dy[treated].mean()
            m_c = dy[control].mean()
            inf = np.zeros(n)
            inf[treated] = n * (dy[treated] - m_t) / n_t
            inf[control] = -n * (dy[control] - m_c) / n_c
            atts.append(m_t - m_c)
            infs.append(inf)
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


def _weight_inf(keep_groups: np.ndarray, pg_keep: np.ndarray, unit_groups: np.ndarray):
    """did's ``wif``: the influence of estimating the group shares used as weights, (n, k)."""
    member = (unit_groups[:, None] == keep_groups[None, :]).astype(float) - pg_keep[None, :]
    total = pg_keep.sum()
    return member / total - np.outer(member.sum(axis=1) / total**2, pg_keep)


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
        wif = _weight_inf(groups[mask], pg[mask], ug)
        return est, inf[:, mask] @ w + wif @ att[mask]

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
        if_ = inf_g @ w + _weight_inf(cohorts, pg_cohort, ug) @ est_g
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
