"""Callaway & Sant'Anna (2021) group-time ATTs and their aggregations.

Balanced panels without covariates take the closed-form path (``fast``): each ATT(g, t) is a
difference of group means and its influence function is explicit, so the SEs are the analytic
influence-function ones that the R package ``did`` and csdid report without the bootstrap.
Otherwise moderndid (the Python port of ``did``) estimates ATT(g, t): outcome regression without
covariates (with none, outcome regression, IPW and doubly robust coincide), doubly robust with
them. Both paths give never-treated or not-yet-treated controls and report the simple, group
(by cohort) and dynamic (event time) aggregations as ``did``'s ``aggte`` prints them. The base
period is "universal" (g - 1 for every ATT(g, t)), so pre-period effects line up with the TWFE
event study's leads (Roth 2024); post-period effects and the three aggregations do not depend on
that choice.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shidian.engine.did import fast
from shidian.engine.did.estimators import Estimate
from shidian.engine.did.panel import Panel
from shidian.engine.did.sensitivity import Sensitivity, relative_magnitudes

SE_METHOD = "analytic influence function (no bootstrap)"


@dataclass
class CallawaySantAnna:
    control_group: str
    simple: Estimate
    group: pd.DataFrame  # cohort (period label), estimate, se, ci_low, ci_high
    dynamic: pd.DataFrame  # rel_period, estimate, se, ci_low, ci_high
    group_time: pd.DataFrame  # cohort, period (labels), estimate, se
    pretest_p: float | None
    group_overall: Estimate | None = None  # did's "overall" of the group aggregation
    dynamic_overall: Estimate | None = None  # average of the event-time effects e >= 0
    sensitivity: Sensitivity | None = None
    se_method: str = SE_METHOD
    path: str = "closed form"  # or "moderndid"


def too_few_never_treated(panel: Panel, control_group: str) -> str | None:
    """did refuses a never-treated comparison group of fewer than 5 + (covariates) units."""
    need = 5 + len(panel.covariates)
    if control_group == "nevertreated" and 0 < panel.never_treated < need:
        return (
            f"Callaway & Sant'Anna not estimated: only {panel.never_treated} never-treated "
            f"unit(s), fewer than the {need} it needs as a comparison group; use not-yet-treated "
            "units instead (--control notyet)."
        )
    return None


def callaway_santanna(panel: Panel, *, control_group: str = "nevertreated") -> CallawaySantAnna:
    from shidian.engine.errors import EngineInputError

    if panel.never_treated == 0:
        control_group = "notyettreated"
    reason = too_few_never_treated(panel, control_group)
    if reason:
        raise EngineInputError(
            reason, code="did_cs_too_few_never", params={"units": panel.never_treated}
        )
    w = fast.wide(panel)
    if w is not None and (w.clusters == len(w.cl)):
        return _closed_form(panel, w, control_group)
    try:
        return _moderndid(panel, control_group)
    except ValueError as exc:  # moderndid's own refusals: say them, without a traceback
        if isinstance(exc, EngineInputError):
            raise
        raise EngineInputError(
            f"Callaway & Sant'Anna could not be estimated: {exc}", code="did_cs_failed"
        ) from exc


def _with_ci(frame: pd.DataFrame) -> pd.DataFrame:
    frame["ci_low"] = frame["estimate"] - 1.959964 * frame["se"]
    frame["ci_high"] = frame["estimate"] + 1.959964 * frame["se"]
    return frame


def _assemble(
    panel: Panel,
    control_group: str,
    gt: tuple,  # groups, times, att, se (ordinal periods)
    simple: tuple[float, float],
    group: tuple,  # cohorts, estimates, ses, overall, overall_se
    dynamic: tuple,  # events, estimates, ses, overall, overall_se
    pretest: float | None,
    path: str,
) -> CallawaySantAnna:
    n = len(panel.data)
    labels = panel.period_labels  # report periods as the user wrote them, not 1..T

    def label(values) -> list[object]:
        return [labels[int(v) - 1] for v in np.asarray(values)]

    def estimate(name: str, est: float, se: float) -> Estimate | None:
        if not (np.isfinite(est) and np.isfinite(se)):
            return None
        return Estimate.from_normal(name, est, se, n)

    dyn = _with_ci(
        pd.DataFrame(
            {
                "rel_period": np.asarray(dynamic[0], dtype=int),
                "estimate": np.asarray(dynamic[1], dtype=float),
                "se": np.asarray(dynamic[2], dtype=float),
            }
        )
    )
    grp = _with_ci(
        pd.DataFrame(
            {
                "cohort": label(group[0]),
                "estimate": np.asarray(group[1], dtype=float),
                "se": np.asarray(group[2], dtype=float),
            }
        )
    )
    table = pd.DataFrame(
        {
            "cohort": label(gt[0]),
            "period": label(gt[1]),
            "estimate": np.asarray(gt[2], dtype=float),
            "se": np.asarray(gt[3], dtype=float),
        }
    )
    simple_est = estimate("Callaway-Sant'Anna", *simple)
    if simple_est is None:
        from shidian.engine.errors import EngineInputError

        raise EngineInputError(
            "Callaway & Sant'Anna: no treated cohort has a period after its start with a "
            "comparison group, so there is no post-treatment effect to average.",
            code="did_cs_no_post",
        )
    dyn_overall = estimate("Callaway-Sant'Anna dynamic", dynamic[3], dynamic[4])
    return CallawaySantAnna(
        control_group=control_group,
        simple=simple_est,
        group=grp,
        dynamic=dyn,
        group_time=table,
        pretest_p=None if pretest is None or not np.isfinite(pretest) else float(pretest),
        group_overall=estimate("Callaway-Sant'Anna group", group[3], group[4]),
        dynamic_overall=dyn_overall,
        sensitivity=(
            relative_magnitudes(dyn, dyn_overall.estimate, dyn_overall.se) if dyn_overall else None
        ),
        path=path,
    )


def _closed_form(panel: Panel, w: fast.Wide, control_group: str) -> CallawaySantAnna:
    gt = fast.att_gt(w, control_group)
    if np.isnan(gt.att[gt.groups <= gt.times]).all():
        return _assemble(
            panel, control_group, (gt.groups, gt.times, gt.att, gt.se), (np.nan, np.nan),
            ([], [], [], np.nan, np.nan), ([], [], [], np.nan, np.nan), None, "closed form",
        )  # fmt: skip
    simple = fast.aggregate(gt, "simple")
    group = fast.aggregate(gt, "group")
    dynamic = fast.aggregate(gt, "dynamic")
    return _assemble(
        panel,
        control_group,
        (gt.groups, gt.times, gt.att, gt.se),
        (simple.overall, simple.overall_se),
        (group.labels, group.estimates, group.ses, group.overall, group.overall_se),
        (dynamic.labels, dynamic.estimates, dynamic.ses, dynamic.overall, dynamic.overall_se),
        gt.wald_p,
        "closed form",
    )


def _moderndid(panel: Panel, control_group: str) -> CallawaySantAnna:
    import moderndid

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
            # An unbalanced panel runs as repeated cross-sections with unit ids, as R's did
            # does with allow_unbalanced_panel = TRUE (moderndid's own unbalanced-panel path
            # fails with a TypeError).
            panel=panel.balanced,
            allow_unbalanced_panel=not panel.balanced,
            clustervars=clustervars,
            boot=False,
            cband=False,
        )
        simple = moderndid.aggte(result, type="simple", na_rm=True)
        group = moderndid.aggte(result, type="group", na_rm=True)
        dynamic = moderndid.aggte(result, type="dynamic", na_rm=True)
    pretest = getattr(result, "wald_pvalue", None)
    return _assemble(
        panel,
        control_group,
        (result.groups, result.times, result.att_gt, result.se_gt),
        (simple.overall_att, simple.overall_se),
        (group.event_times, group.att_by_event, group.se_by_event, group.overall_att,
         group.overall_se),
        (dynamic.event_times, dynamic.att_by_event, dynamic.se_by_event, dynamic.overall_att,
         dynamic.overall_se),
        pretest,
        "moderndid",
    )  # fmt: skip
