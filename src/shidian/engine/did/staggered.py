"""Callaway & Sant'Anna (2021) group-time ATTs and their aggregations, via moderndid.

moderndid (the Python port of the R package ``did``) estimates ATT(g, t) with never-treated or
not-yet-treated controls; without covariates we use its outcome-regression estimator (with none,
outcome regression, IPW and doubly robust coincide), with covariates the doubly robust one. The
engine passes the prepared panel and reads back the simple, group and dynamic aggregations.
The base period is "universal" (g - 1 for every ATT(g, t)), so pre-period effects line up with
the TWFE event study's leads (Roth 2024); post-period effects do not depend on that choice.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shidian.engine.did.estimators import Estimate
from shidian.engine.did.panel import Panel


@dataclass
class CallawaySantAnna:
    control_group: str
    simple: Estimate
    group: pd.DataFrame  # cohort (period label), estimate, se
    dynamic: pd.DataFrame  # rel_period, estimate, se, ci_low, ci_high
    group_time: pd.DataFrame  # cohort, period (labels), estimate, se
    pretest_p: float | None


def callaway_santanna(panel: Panel, *, control_group: str = "nevertreated") -> CallawaySantAnna:
    import moderndid

    if panel.never_treated == 0:
        control_group = "notyettreated"
    data = panel.data
    frame = pd.DataFrame({"uid": data["uid"], "t": data["t"], "g": data["g"], "y": data["y"]})
    for c in panel.covariates:
        frame[c] = data[c]
    xformla = ("~ " + " + ".join(panel.covariates)) if panel.covariates else None
    clustervars = None if data["cl"].equals(data["uid"]) else ["cl"]
    if clustervars:
        frame["cl"] = data["cl"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = moderndid.att_gt(
            frame,
            yname="y",
            tname="t",
            idname="uid",
            gname="g",
            xformla=xformla,
            est_method="dr" if panel.covariates else "reg",
            control_group=control_group,
            base_period="universal",
            allow_unbalanced_panel=not panel.balanced,
            clustervars=clustervars,
            boot=False,
            cband=False,
        )
        simple = moderndid.aggte(result, type="simple", na_rm=True)
        group = moderndid.aggte(result, type="group", na_rm=True)
        dynamic = moderndid.aggte(result, type="dynamic", na_rm=True)
    est = Estimate.from_normal(
        "Callaway-Sant'Anna", simple.overall_att, simple.overall_se, len(data)
    )
    dyn = pd.DataFrame(
        {
            "rel_period": np.asarray(dynamic.event_times, dtype=int),
            "estimate": dynamic.att_by_event,
            "se": dynamic.se_by_event,
        }
    )
    dyn["ci_low"] = dyn["estimate"] - 1.959964 * dyn["se"]
    dyn["ci_high"] = dyn["estimate"] + 1.959964 * dyn["se"]
    labels = panel.period_labels  # report periods as the user wrote them, not 1..T

    def label(values) -> list[object]:
        return [labels[int(v) - 1] for v in np.asarray(values)]

    grp = pd.DataFrame(
        {
            "cohort": label(group.event_times),
            "estimate": group.att_by_event,
            "se": group.se_by_event,
        }
    )
    gt = pd.DataFrame(
        {
            "cohort": label(result.groups),
            "period": label(result.times),
            "estimate": result.att_gt,
            "se": result.se_gt,
        }
    )
    pretest = getattr(result, "wald_pvalue", None)
    return CallawaySantAnna(
        control_group=control_group,
        simple=est,
        group=grp,
        dynamic=dyn,
        group_time=gt,
        pretest_p=None if pretest is None or not np.isfinite(pretest) else float(pretest),
    )
