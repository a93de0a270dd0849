"""Inter-rater agreement: Shrout & Fleiss (1979) intraclass correlations and Kendall's W.

ICC(2,1) and ICC(2,k) (two-way random effects, absolute agreement) need a crossed design: every
expert scores every unit. When each unit is scored by its own set of experts (what ``shidian
assign`` produces) the right model is Shrout & Fleiss case 1, the one-way ICC(1,1)/ICC(1,k),
which also allows unequal numbers of ratings per unit (k is then the adjusted mean size n0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class ICCResult:
    model: str  # "ICC(2,1)", ...
    value: float
    f_value: float
    df1: float
    df2: float
    p_value: float
    ci95: tuple[float, float]


def icc_twoway(matrix: np.ndarray) -> dict[str, ICCResult]:
    """All six Shrout & Fleiss ICCs of a complete (targets x raters) matrix.

    Confidence intervals follow Shrout & Fleiss (1979) and McGraw & Wong (1996), as pingouin does.
    """
    x = np.asarray(matrix, dtype=float)
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_err = ((x - grand) ** 2).sum() - ss_rows - ss_cols
    bms = ss_rows / (n - 1)
    jms = ss_cols / (k - 1)
    ems = ss_err / ((n - 1) * (k - 1))
    wms = (ss_cols + ss_err) / (n * (k - 1))
    alpha = 0.05
    df_b, df_w, df_e = n - 1, n * (k - 1), (n - 1) * (k - 1)
    out: dict[str, ICCResult] = {}

    def ratio_ci(f: float, df1: float, df2: float, single: bool) -> tuple[float, float]:
        f_l = f / stats.f.ppf(1 - alpha / 2, df1, df2)
        f_u = f * stats.f.ppf(1 - alpha / 2, df2, df1)
        if single:
            return ((f_l - 1) / (f_l + k - 1), (f_u - 1) / (f_u + k - 1))
        return (1 - 1 / f_l, 1 - 1 / f_u)

    f1 = bms / wms
    p1 = float(stats.f.sf(f1, df_b, df_w))
    out["ICC(1,1)"] = ICCResult(
        "ICC(1,1)",
        (bms - wms) / (bms + (k - 1) * wms),
        f1,
        df_b,
        df_w,
        p1,
        ratio_ci(f1, df_b, df_w, True),
    )
    out["ICC(1,k)"] = ICCResult(
        "ICC(1,k)", (bms - wms) / bms, f1, df_b, df_w, p1, ratio_ci(f1, df_b, df_w, False)
    )
    f3 = bms / ems
    p3 = float(stats.f.sf(f3, df_b, df_e))
    icc2 = (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n)
    icc2k = (bms - ems) / (bms + (jms - ems) / n)
    out["ICC(2,1)"] = ICCResult(
        "ICC(2,1)", icc2, f3, df_b, df_e, p3, _icc2_ci(icc2, bms, jms, ems, n, k, alpha)
    )
    ci21 = _icc2_ci(icc2, bms, jms, ems, n, k, alpha)
    lo, hi = ci21
    out["ICC(2,k)"] = ICCResult(
        "ICC(2,k)",
        icc2k,
        f3,
        df_b,
        df_e,
        p3,
        (k * lo / (1 + lo * (k - 1)), k * hi / (1 + hi * (k - 1))),
    )
    out["ICC(3,1)"] = ICCResult(
        "ICC(3,1)",
        (bms - ems) / (bms + (k - 1) * ems),
        f3,
        df_b,
        df_e,
        p3,
        ratio_ci(f3, df_b, df_e, True),
    )
    out["ICC(3,k)"] = ICCResult(
        "ICC(3,k)", (bms - ems) / bms, f3, df_b, df_e, p3, ratio_ci(f3, df_b, df_e, False)
    )
    return out


def _icc2_ci(icc2, bms, jms, ems, n, k, alpha) -> tuple[float, float]:
    """Satterthwaite-type interval for ICC(2,1) (Shrout & Fleiss 1979, eq. 8)."""
    a = k * icc2 / (n * (1 - icc2))
    b = 1 + k * icc2 * (n - 1) / (n * (1 - icc2))
    v = (a * jms + b * ems) ** 2 / ((a * jms) ** 2 / (k - 1) + (b * ems) ** 2 / ((n - 1) * (k - 1)))
    f_star_u = stats.f.ppf(1 - alpha / 2, n - 1, v)
    f_star_l = stats.f.ppf(1 - alpha / 2, v, n - 1)
    lower = n * (bms - f_star_u * ems) / (f_star_u * (k * jms + (k * n - k - n) * ems) + n * bms)
    upper = n * (f_star_l * bms - ems) / (k * jms + (k * n - k - n) * ems + n * f_star_l * bms)
    return (float(lower), float(upper))


def icc_oneway(groups: list[np.ndarray]) -> dict[str, ICCResult]:
    """ICC(1,1) and ICC(1,k) from ratings grouped by unit; groups may differ in size."""
    sizes = np.array([len(g) for g in groups], dtype=float)
    n_units, total = len(groups), sizes.sum()
    means = np.array([np.mean(g) for g in groups])
    grand = np.concatenate(groups).mean()
    bms = float((sizes * (means - grand) ** 2).sum() / (n_units - 1))
    wms = float(sum(((g - m) ** 2).sum() for g, m in zip(groups, means, strict=True)))
    wms /= total - n_units
    n0 = (total - (sizes**2).sum() / total) / (n_units - 1)
    df1, df2 = n_units - 1, total - n_units
    if wms == 0:
        f = np.inf
        p = 0.0
    else:
        f = bms / wms
        p = float(stats.f.sf(f, df1, df2))
    alpha = 0.05
    if np.isfinite(f) and f > 0:
        f_l = f / stats.f.ppf(1 - alpha / 2, df1, df2)
        f_u = f * stats.f.ppf(1 - alpha / 2, df2, df1)
        ci1 = ((f_l - 1) / (f_l + n0 - 1), (f_u - 1) / (f_u + n0 - 1))
        cik = (1 - 1 / f_l, 1 - 1 / f_u)
    else:
        ci1 = cik = (1.0, 1.0)
    single = (bms - wms) / (bms + (n0 - 1) * wms)
    average = (bms - wms) / bms if bms else float("nan")
    return {
        "ICC(1,1)": ICCResult("ICC(1,1)", single, f, df1, df2, p, ci1),
        "ICC(1,k)": ICCResult("ICC(1,k)", average, f, df1, df2, p, cik),
    }


def kendall_w(matrix: np.ndarray) -> tuple[float, float, float]:
    """Kendall's W of a complete (objects x raters) matrix with the tie correction.

    Returns (W, chi-square, p-value). Ties get average ranks and the denominator subtracts
    m * sum(t^3 - t) over each rater's tie groups (Kendall & Babington Smith 1939).
    """
    x = np.asarray(matrix, dtype=float)
    n, m = x.shape
    ranks = np.column_stack([stats.rankdata(x[:, j]) for j in range(m)])
    totals = ranks.sum(axis=1)
    s = ((totals - totals.mean()) ** 2).sum()
    ties = 0.0
    for j in range(m):
        _, counts = np.unique(x[:, j], return_counts=True)
        ties += (counts**3 - counts).sum()
    denominator = m**2 * (n**3 - n) - m * ties
    if denominator <= 0:
        return float("nan"), float("nan"), float("nan")
    w = 12 * s / denominator
    chi2 = m * (n - 1) * w
    return float(w), float(chi2), float(stats.chi2.sf(chi2, n - 1))
