"""Covariate balance before and after matching: SMD, variance ratio and the largest eCDF gap.

The standardized mean difference (SMD) divides the difference in means by one standard deviation
taken from the unmatched sample, the same before and after, so the two columns are comparable:

- ``"treated"`` (the default): the treated units' SD, as MatchIt and cobalt do for the effect on
  the treated (ATT), the estimand of matching controls to pilots;
- ``"pooled"``: sqrt((s_t^2 + s_c^2) / 2), as causalml and cobalt's ``s.d.denom = "pooled"``.

A binary (0/1) covariate's variance is p(1 - p), as in MatchIt and cobalt; other covariates use
the sample variance (n - 1). Weighted means and variances use the matching weights. Undefined
ratios are None, never NaN.
"""

from __future__ import annotations

import numpy as np

from shidian.engine.matching.spec import BalanceRow

SMD_THRESHOLD = 0.1
DENOMINATORS = ("treated", "pooled")


def _wmean_var(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    total = w.sum()
    if total <= 0:
        return 0.0, 0.0
    mean = float((w * x).sum() / total)
    var = float((w * (x - mean) ** 2).sum() / total)
    # Bias correction with the effective sample size, so unit weights give the usual s^2.
    ess_term = total - (w**2).sum() / total
    if ess_term > 0:
        var *= total / ess_term
    return mean, var


def _binary_var(x: np.ndarray, w: np.ndarray) -> float:
    total = w.sum()
    if total <= 0:
        return 0.0
    p = float((w * x).sum() / total)
    return p * (1.0 - p)


def _is_binary(x: np.ndarray) -> bool:
    return bool(np.isin(x, (0.0, 1.0)).all())


def denominator_sd(x: np.ndarray, treated: np.ndarray, denominator: str = "treated") -> float:
    """The SD an SMD of covariate ``x`` divides by (unmatched sample, see the module doc)."""
    if denominator not in DENOMINATORS:
        raise ValueError(f"denominator must be one of {DENOMINATORS} (got {denominator!r})")
    xt, xc = x[treated], x[~treated]
    if _is_binary(x):
        vt, vc = _binary_var(xt, np.ones(len(xt))), _binary_var(xc, np.ones(len(xc)))
    else:
        vt = _wmean_var(xt, np.ones(len(xt)))[1]
        vc = _wmean_var(xc, np.ones(len(xc)))[1]
    return float(np.sqrt(vt if denominator == "treated" else (vt + vc) / 2))


def _ecdf_gaps(x: np.ndarray, treated: np.ndarray, *weights: np.ndarray) -> list[float]:
    """Largest gap between the weighted eCDFs of treated and controls, one per weight vector.

    One sort of the pooled values serves every weighting; the gap is read at the last copy of
    each distinct value.
    """
    order = np.argsort(x, kind="stable")
    xs = x[order]
    last = np.r_[xs[1:] != xs[:-1], True]
    t_sorted = treated[order]
    gaps = []
    for w in weights:
        ws = w[order]
        wt, wc = np.where(t_sorted, ws, 0.0), np.where(t_sorted, 0.0, ws)
        st, sc = wt.sum(), wc.sum()
        if st <= 0 or sc <= 0:
            gaps.append(0.0)
            continue
        gap = np.abs(np.cumsum(wt) / st - np.cumsum(wc) / sc)[last]
        gaps.append(float(gap.max()))
    return gaps


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


def _smd(diff: float, sd: float) -> float:
    if sd > 0:
        return diff / sd
    return 0.0  # a constant covariate cannot differ


def balance_table(
    matrix: np.ndarray,
    names: list[str],
    treated: np.ndarray,
    weights: np.ndarray,
    *,
    denominator: str = "treated",
) -> list[BalanceRow]:
    """``weights``: matching weight per unit (0 for units left out); ``denominator``: the SD
    the SMD divides by, ``"treated"`` or ``"pooled"`` (module doc)."""
    rows = []
    t, c = treated, ~treated
    ones = np.ones(len(treated))
    wt, wc = weights[t], weights[c]
    weights = np.asarray(weights, dtype=float)
    for j, name in enumerate(names):
        x = matrix[:, j]
        mt0, vt0 = _wmean_var(x[t], ones[t])
        mc0, vc0 = _wmean_var(x[c], ones[c])
        sd = denominator_sd(x, t, denominator)
        mt1, vt1 = _wmean_var(x[t], wt)
        mc1, vc1 = _wmean_var(x[c], wc)
        smd_after = _smd(mt1 - mc1, sd)
        ecdf_before, ecdf_after = _ecdf_gaps(x, treated, ones, weights)
        rows.append(
            BalanceRow(
                covariate=name,
                treated_mean_before=mt0,
                control_mean_before=mc0,
                smd_before=_smd(mt0 - mc0, sd),
                variance_ratio_before=_ratio(vt0, vc0),
                ecdf_max_before=ecdf_before,
                treated_mean_after=mt1,
                control_mean_after=mc1,
                smd_after=smd_after,
                variance_ratio_after=_ratio(vt1, vc1),
                ecdf_max_after=ecdf_after,
                balanced=abs(smd_after) < SMD_THRESHOLD,
                denominator=denominator,
                denominator_sd=sd,
            )
        )
    return rows
