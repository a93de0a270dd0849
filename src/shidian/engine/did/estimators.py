"""The 2x2 estimate, two-way fixed effects, the event study and the TWFE weights.

A balanced panel without covariates takes the closed-form path (``fast``: two-way demeaning,
OLS on the demeaned columns, the same clustered covariance). Otherwise estimation is done by
linearmodels (panel, two-way fixed effects, clustered covariance) and statsmodels (pooled
regressions for the 2x2 and repeated cross-sections); this module builds the design, calls them
and reads the results.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats: its import alone costs a second

from shidian.engine.did import fast
from shidian.engine.did.panel import Panel

Z95 = float(special.ndtri(0.975))


def t_crit(df: int) -> float:
    """The two-sided 95% critical value of Student's t with ``df`` degrees of freedom."""
    return float(special.stdtrit(df, 0.975))


@dataclass
class Estimate:
    name: str
    estimate: float
    se: float
    ci95: tuple[float, float]
    p_value: float
    observations: int

    @classmethod
    def from_normal(cls, name: str, est: float, se: float, n: int, df: int | None = None):
        if not (np.isfinite(est) and np.isfinite(se) and se > 0):
            from shidian.engine.errors import EngineInputError

            raise EngineInputError(
                f"{name}: no standard error can be estimated (the model fits the outcome "
                "exactly, or too few units differ), so there is no interval or p-value to report."
                " Check that the outcome varies over time within units.",
                code="did_no_se",
                params={"estimator": name},
            )
        crit = t_crit(df) if df else Z95
        z = abs(est / se)
        p = float(2 * (special.stdtr(df, -z) if df else special.ndtr(-z)))
        return cls(name, float(est), float(se), (est - crit * se, est + crit * se), p, n)


def _ols_clustered(y: np.ndarray, x: pd.DataFrame, groups: np.ndarray):
    import statsmodels.api as sm

    return sm.OLS(y, x.astype(float)).fit(cov_type="cluster", cov_kwds={"groups": groups})


def did_2x2(panel: Panel) -> tuple[Estimate, dict[str, float]] | None:
    """The canonical 2x2: (treated after - before) - (controls after - before), with cluster SEs.

    Defined for one entry period only; with several cohorts the 2x2 mixes them (returns None).
    """
    if len(panel.cohorts) != 1 or panel.never_treated == 0:
        return None
    data = panel.data
    start = panel.cohorts[0]
    post = (data["t"] >= start).astype(float)
    treated = data["treated"].astype(float)
    x = pd.DataFrame({"const": 1.0, "treated": treated, "post": post, "did": treated * post})
    fit = _ols_clustered(data["y"].to_numpy(), x, data["cl"].to_numpy())
    est = float(fit.params["did"])
    se = float(fit.bse["did"])
    means = data.groupby([treated.to_numpy(), post.to_numpy()])["y"].mean()
    cells = {
        "treated_before": float(means.loc[(1.0, 0.0)]),
        "treated_after": float(means.loc[(1.0, 1.0)]),
        "control_before": float(means.loc[(0.0, 0.0)]),
        "control_after": float(means.loc[(0.0, 1.0)]),
    }
    g = panel.clusters
    return Estimate.from_normal("2x2", est, se, len(data), df=g - 1), cells


def twfe(panel: Panel) -> Estimate:
    """y_it = a_i + l_t + b d_it (+ covariates): linearmodels PanelOLS, clustered SEs.

    Repeated cross-sections (each unit seen once) get group and period effects instead of unit
    effects, estimated by pooled OLS.
    """
    data = panel.data
    if panel.cross_section:
        dummies = pd.get_dummies(data["t"], prefix="t", drop_first=True, dtype=float)
        x = pd.concat(
            [
                pd.Series(1.0, index=data.index, name="const"),
                data[["treated", "d"]],
                dummies,
                data[panel.covariates],
            ],
            axis=1,
        )
        fit = _ols_clustered(data["y"].to_numpy(), x, data["cl"].to_numpy())
        return Estimate.from_normal(
            "TWFE", fit.params["d"], fit.bse["d"], len(data), df=panel.clusters - 1
        )
    w = fast.wide(panel)
    quick = fast.fe_ols(w, [fast.treatment_matrix(w)]) if w is not None else None
    if quick is not None:
        est, se = float(quick.params[0]), float(np.sqrt(quick.cov[0, 0]))
    else:
        fit = _panel_fit(data, ["d", *panel.covariates])
        est, se = float(fit.params["d"]), float(fit.std_errors["d"])
    return Estimate.from_normal("TWFE", est, se, len(data), df=panel.clusters - 1)


def _panel_fit(data: pd.DataFrame, regressors: list[str]):
    from linearmodels.panel import PanelOLS

    frame = data.set_index(["uid", "t"])
    model = PanelOLS(
        frame["y"],
        frame[regressors].astype(float),
        entity_effects=True,
        time_effects=True,
        drop_absorbed=True,
    )
    # Stata's `xtreg, fe vce(cluster)` convention (as fixest/pyfixest with nested effects): the
    # unit effects are nested in the clusters and not counted in the degrees of freedom, and the
    # covariance is scaled by G/(G-1) and n/(n-k). Counting them (linearmodels' default with two
    # effects) inflates the SEs by about sqrt(T/(T-1)): 22% with three periods.
    with warnings.catch_warnings():  # absorbed covariates are reported by run_did
        warnings.simplefilter("ignore")
        return model.fit(
            cov_type="clustered",
            clusters=frame[["cl"]],
            group_debias=True,
            debiased=True,
            auto_df=False,
            count_effects=False,
        )


@dataclass
class EventStudy:
    table: pd.DataFrame  # rel_period, estimate, se, ci_low, ci_high
    pretrend_chi2: float | None
    pretrend_df: int
    pretrend_p: float | None
    reference: int = -1


def event_study(panel: Panel) -> EventStudy | None:
    """TWFE with one indicator per period relative to entry (reference: the period before).

    Without never-treated units the earliest lead is dropped as well (otherwise relative time is
    collinear with the unit and period effects). The pre-trend test is the joint Wald test that
    every lead is zero, with the clustered covariance.
    """
    if panel.cross_section:
        return None
    data = panel.data.copy()
    rel = np.where(data["g"] > 0, data["t"] - data["g"], np.nan)
    values = sorted(int(v) for v in np.unique(rel[~np.isnan(rel)]))
    drop = {-1}
    if panel.never_treated == 0 and values and values[0] < -1:
        drop.add(values[0])
    keep = [v for v in values if v not in drop]
    names = []
    for v in keep:
        name = f"e{v}" if v >= 0 else f"e_m{-v}"
        data[name] = (rel == v).astype(float)
        names.append(name)
    if not names:
        return None
    params, ses, cov = _event_fit(panel, data, names, keep)
    rows = []
    crit = t_crit(panel.clusters - 1)
    for v, name in zip(keep, names, strict=True):
        if name not in params.index:
            continue
        est, se = float(params[name]), float(ses[name])
        rows.append((v, est, se, est - crit * se, est + crit * se))
    rows.append((-1, 0.0, 0.0, 0.0, 0.0))  # the reference period, zero by construction
    table = pd.DataFrame(rows, columns=["rel_period", "estimate", "se", "ci_low", "ci_high"])
    table = table.sort_values("rel_period", ignore_index=True)
    leads = [n for v, n in zip(keep, names, strict=True) if v < -1 and n in params.index]
    chi2 = p = None
    if leads:
        b = params[leads].to_numpy()
        chi2 = float(b @ np.linalg.pinv(cov.loc[leads, leads].to_numpy()) @ b)
        p = float(special.chdtrc(len(leads), chi2))
    return EventStudy(table, chi2, len(leads), p)


def _event_fit(panel: Panel, data: pd.DataFrame, names: list[str], keep: list[int]):
    """Leads and lags with unit and period effects: closed form when it applies."""
    w = fast.wide(panel)
    if w is not None:
        periods = np.arange(1, w.y.shape[1] + 1)
        rel = np.where(w.g[:, None] > 0, periods[None, :] - w.g[:, None], np.iinfo(np.int64).min)
        quick = fast.fe_ols(w, [(rel == v).astype(float) for v in keep])
        if quick is not None:
            se = np.sqrt(np.diag(quick.cov))
            cov = pd.DataFrame(quick.cov, index=names, columns=names)
            return pd.Series(quick.params, index=names), pd.Series(se, index=names), cov
    fit = _panel_fit(data, names + panel.covariates)
    return fit.params, fit.std_errors, fit.cov


def twfe_weights(panel: Panel) -> dict[str, float] | None:
    """de Chaisemartin & D'Haultfoeuille (2020) weights TWFE puts on each treated cell.

    The TWFE coefficient equals a weighted sum of the treated (unit, period) effects with weights
    proportional to the residual of d on unit and period effects; in a balanced panel that
    residual is d minus its unit mean and period mean plus the grand mean. Negative weights come
    from already-treated units serving as controls for later ones.
    """
    if panel.cross_section or not panel.balanced:
        return None
    data = panel.data
    d = data["d"].astype(float)
    resid = (
        d
        - d.groupby(data["uid"]).transform("mean")
        - d.groupby(data["t"]).transform("mean")
        + d.mean()
    )
    treated = data["d"] == 1
    w = resid[treated] / resid[treated].sum()
    negative = w < -1e-12
    return {
        "treated_cells": int(treated.sum()),
        "negative_cells": int(negative.sum()),
        "negative_weight_sum": float(w[negative].sum()),
    }
