"""How large a violation of parallel trends would overturn the conclusion (relative magnitudes).

In the spirit of HonestDiD (Rambachan & Roth 2023, "relative magnitudes" restriction
Delta^RM(Mbar)): after the start, the counterfactual trend gap may change from one period to the
next by at most Mbar times the largest such change seen between consecutive periods before the
start. The estimand is the dynamic aggregation (the average of the event-time effects e >= 0).

With the pre-period gaps plugged in at their estimates, the bias of that average is at most
Mbar * D * mean(e + 1) (the gap starts at zero in the reference period e = -1 and can grow by
Mbar * D per period), D the worst pre-period change. The robust interval at Mbar is the
estimate's 95% interval widened by that bound on both sides (the conservative "naive FLCI" that
diff-diff also uses for this restriction), and the breakdown value is the Mbar at which it
first touches zero. HonestDiD's conditional (ARP) intervals are narrower and account for the
noise in D; this number is a transparent, conservative summary, not a replacement for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

Z95 = 1.959963984540054


@dataclass
class Sensitivity:
    estimand: str  # "dynamic average (e >= 0)"
    estimate: float
    se: float
    worst_pre_change: float  # D: largest |change| of the pre-period gap between periods
    bias_per_mbar: float  # bound on the bias of the estimand per unit of Mbar
    significant: bool  # the 95% interval excludes zero under exact parallel trends (Mbar = 0)
    breakdown_mbar: float | None  # None when not significant; inf when no pre-period change
    robust_ci_at_1: tuple[float, float]  # the interval when Mbar = 1


def relative_magnitudes(dynamic: pd.DataFrame, estimate: float, se: float) -> Sensitivity | None:
    """From event-time estimates (rel_period, estimate; reference e = -1 at zero) and the dynamic
    average with its SE. None without at least one pre-period before the reference."""
    table = dynamic.dropna(subset=["estimate"]).set_index("rel_period")["estimate"]
    pre = table[table.index <= -1].sort_index()
    post = np.array(sorted(int(e) for e in table.index if e >= 0))
    if not np.isfinite(se) or se <= 0 or len(post) == 0 or not (pre.index < -1).any():
        return None
    gaps = pre.reindex(range(int(pre.index.min()), 0)).to_numpy(dtype=float, copy=True)
    gaps[-1] = 0.0  # e = -1 is the reference: zero by construction
    if np.isnan(gaps).any():  # a missing pre-period: no consecutive chain to measure
        return None
    worst = float(np.max(np.abs(np.diff(gaps))))
    bias_per_mbar = worst * float(np.mean(post + 1))
    margin = abs(estimate) - Z95 * se
    if margin <= 0:
        breakdown: float | None = None
    elif bias_per_mbar == 0:
        breakdown = float("inf")
    else:
        breakdown = margin / bias_per_mbar
    half = Z95 * se + bias_per_mbar
    return Sensitivity(
        estimand="dynamic average (e >= 0)",
        estimate=float(estimate),
        se=float(se),
        worst_pre_change=worst,
        bias_per_mbar=bias_per_mbar,
        significant=margin > 0,
        breakdown_mbar=breakdown,
        robust_ci_at_1=(float(estimate - half), float(estimate + half)),
    )
