"""Run every estimator that applies to a panel and say in Chinese and English what it means."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from shidian.engine.did.estimators import (
    Estimate,
    EventStudy,
    did_2x2,
    event_study,
    twfe,
    twfe_weights,
)
from shidian.engine.did.panel import Panel, prepare_panel
from shidian.engine.did.staggered import (
    CallawaySantAnna,
    callaway_santanna,
    too_few_never_treated,
)

FEW_CLUSTERS = 30


@dataclass
class DidResult:
    n_units: int
    n_periods: int
    n_treated: int
    n_never_treated: int
    n_clusters: int
    n_observations: int
    periods: list[object]
    cohorts: list[object]
    design: str  # "2x2", "staggered" or "repeated cross-section"
    estimator: str  # the headline estimator
    estimate: float
    se: float
    ci95: tuple[float, float]
    p_value: float
    twfe: Estimate
    did_2x2: Estimate | None
    cells_2x2: dict[str, float] | None
    callaway_santanna: CallawaySantAnna | None
    event_study: EventStudy | None
    twfe_weights: dict[str, float] | None
    estimators_disagree: bool | None
    meaning_en: list[str] = field(default_factory=list)
    meaning_zh: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The notes' machine codes with their params (the web translates by code; see Panel).
    note_params: dict[str, dict] = field(default_factory=dict)


def run_did(
    frame: pd.DataFrame,
    *,
    unit: str,
    period: str,
    outcome: str,
    treated: str,
    post: str | None = None,
    cohort: str | None = None,
    covariates: list[str] | None = None,
    cluster: str | None = None,
    event_study_on: bool = False,
    control_group: str = "nevertreated",
    robust: bool = True,
) -> DidResult:
    """Prepare the panel, run 2x2 / TWFE / event study / Callaway-Sant'Anna, and explain."""
    panel = prepare_panel(
        frame,
        unit=unit,
        period=period,
        outcome=outcome,
        treated=treated,
        post=post,
        cohort=cohort,
        covariates=covariates,
        cluster=cluster,
    )
    if not panel.cross_section:
        within = panel.data.groupby("uid")[panel.covariates].nunique().max()
        for c in [c for c in panel.covariates if within[c] <= 1]:
            panel.notes.append(
                f"Covariate '{c}' never changes within a unit: the unit effects absorb it in "
                "TWFE; Callaway & Sant'Anna use it as a baseline characteristic."
            )
    two = did_2x2(panel) if not panel.covariates else None
    tw = twfe(panel)
    staggered = len(panel.cohorts) > 1
    cs = None
    if robust and not panel.cross_section:
        reason = too_few_never_treated(
            panel, "notyettreated" if panel.never_treated == 0 else control_group
        )
        if reason:
            panel.notes.append(reason)
            panel.note_params["did_cs_too_few_never"] = {"units": panel.never_treated}
        else:
            cs = callaway_santanna(panel, control_group=control_group)
    es = event_study(panel) if event_study_on else None
    weights = twfe_weights(panel) if staggered else None
    if panel.cross_section:
        design = "repeated cross-section"
    else:
        design = "staggered" if staggered else "2x2"
    headline = cs.simple if (staggered and cs) else tw
    disagree = None
    if cs is not None:
        disagree = estimates_disagree(tw, cs.simple)
    labels = panel.period_labels
    result = DidResult(
        n_units=panel.units,
        n_periods=panel.periods,
        n_treated=panel.treated_units,
        n_never_treated=panel.never_treated,
        n_clusters=panel.clusters,
        n_observations=len(panel.data),
        periods=list(labels),
        cohorts=[labels[g - 1] for g in panel.cohorts],
        design=design,
        estimator=headline.name,
        estimate=headline.estimate,
        se=headline.se,
        ci95=headline.ci95,
        p_value=headline.p_value,
        twfe=tw,
        did_2x2=two[0] if two else None,
        cells_2x2=two[1] if two else None,
        callaway_santanna=cs,
        event_study=es,
        twfe_weights=weights,
        estimators_disagree=disagree,
        notes=list(panel.notes),
        note_params=dict(panel.note_params),
    )
    _explain(result, panel, outcome)
    return result


def estimates_disagree(a: Estimate, b: Estimate) -> bool:
    """Material disagreement: the gap exceeds 1.96 times the SE of a difference of independent
    estimates (conservative: the two share data) and 10% of the larger estimate; or the two are
    significant with opposite signs."""
    gap = abs(a.estimate - b.estimate)
    noise = 1.959964 * (a.se**2 + b.se**2) ** 0.5
    material = gap > noise and gap > 0.1 * max(abs(a.estimate), abs(b.estimate))
    opposite = a.estimate * b.estimate < 0 and a.p_value < 0.05 and b.p_value < 0.05
    return bool(material or opposite)


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _explain(r: DidResult, panel: Panel, outcome: str) -> None:
    lo, hi = (_fmt(v) for v in r.ci95)
    est, p = _fmt(r.estimate), f"{r.p_value:.3g}"
    zero = r.ci95[0] <= 0 <= r.ci95[1]
    r.meaning_en.append(
        f"If the treated units would have moved in parallel with the comparison units without the "
        f"programme, the programme changed {outcome} by {est} on average ({r.estimator}; 95% "
        f"interval {lo} to {hi}; p = {p}). "
        + (
            "The interval includes zero: the data cannot tell the effect apart from no effect."
            if zero
            else "The interval excludes zero."
        )
    )
    r.meaning_zh.append(
        f"假如没有该项目时，试点单位与对照单位的{outcome}会平行变化（平行趋势假设），则项目使"
        f"{outcome}平均变化 {est}（{_zh_name(r.estimator)}；95% 置信区间 {lo} 至 {hi}；p = {p}）。"
        + ("区间包含 0：数据无法把这一效果与“没有效果”区分开。" if zero else "区间不包含 0。")
    )
    r.meaning_en.append(
        "What it cannot mean: it is not proof that the programme caused the change if the two "
        "groups were already drifting apart, or if something else changed for the treated units "
        "at the same time; parallel trends cannot be tested after the start, only made plausible "
        "by the periods before it."
    )
    r.meaning_zh.append(
        "它不能说明的是：如果两组在项目前就已走向分化，或试点单位同时还受到其他变化的影响，"
        "这一差异就不能归因于项目；平行趋势在项目开始后无法检验，只能由开始前各期的走势佐证。"
    )
    pre_p = r.event_study.pretrend_p if r.event_study else None
    if pre_p is None and r.callaway_santanna is not None:
        pre_p = r.callaway_santanna.pretest_p
    if pre_p is not None:
        r.meaning_en.append(
            f"Pre-trend test (all effects before the start are zero): p = {pre_p:.3g}. "
            + (
                "The groups already differed in their trends before the start; be cautious."
                if pre_p < 0.05
                else "No difference in trends was found before the start (this does not prove "
                "there was none)."
            )
        )
        r.meaning_zh.append(
            f"事前趋势检验（开始前各期效果均为 0）：p = {pre_p:.3g}。"
            + (
                "两组在项目开始前走势已不同，结论须谨慎。"
                if pre_p < 0.05
                else "未发现开始前的趋势差异（这并不证明差异不存在）。"
            )
        )
    if r.callaway_santanna is not None and r.callaway_santanna.sensitivity is not None:
        _explain_sensitivity(r, r.callaway_santanna.sensitivity)
    if r.estimators_disagree is not None and r.callaway_santanna is not None:
        cs = r.callaway_santanna.simple
        neg = r.twfe_weights or {}
        if r.estimators_disagree:
            r.meaning_en.append(
                f"TWFE ({_fmt(r.twfe.estimate)}) and Callaway-Sant'Anna ({_fmt(cs.estimate)}) "
                "disagree. With staggered entry TWFE also compares late entrants with units "
                f"treated earlier ({neg.get('negative_cells', 0)} treated cells get a negative "
                "weight); the Callaway-Sant'Anna estimate avoids those comparisons."
            )
            r.meaning_zh.append(
                f"双向固定效应（{_fmt(r.twfe.estimate)}）与 Callaway-Sant'Anna "
                f"（{_fmt(cs.estimate)}）不一致：分批进入时，双向固定效应会把较早进入的试点当作"
                f"较晚进入者的对照（{neg.get('negative_cells', 0)} 个处理单元格权重为负），"
                "应以 Callaway-Sant'Anna 估计为准。"
            )
        else:
            r.meaning_en.append(
                f"TWFE ({_fmt(r.twfe.estimate)}) and Callaway-Sant'Anna ({_fmt(cs.estimate)}) "
                "agree (no material gap beyond their sampling error)."
            )
            r.meaning_zh.append(
                f"双向固定效应（{_fmt(r.twfe.estimate)}）与 Callaway-Sant'Anna"
                f"（{_fmt(cs.estimate)}）一致：两者差距不超出抽样误差。"
            )
    if r.n_clusters < FEW_CLUSTERS:
        r.warnings.append(
            f"Only {r.n_clusters} clusters: cluster-robust standard errors are unreliable below "
            f"about {FEW_CLUSTERS}; the interval is probably too narrow."
        )
        r.meaning_zh.append(
            f"只有 {r.n_clusters} 个聚类（少于约 {FEW_CLUSTERS} 个）：聚类稳健标准误不可靠，"
            "置信区间可能偏窄。"
        )
        r.meaning_en.append(r.warnings[-1])


def _explain_sensitivity(r: DidResult, s) -> None:
    est, worst = _fmt(s.estimate), _fmt(s.worst_pre_change)
    if not s.significant:
        r.meaning_en.append(
            f"Sensitivity to parallel trends: the average effect after the start ({est}, "
            "Callaway-Sant'Anna dynamic aggregation) is not distinguishable from zero even if "
            "trends are exactly parallel, so no violation is needed to overturn it."
        )
        r.meaning_zh.append(
            f"平行趋势敏感性：项目开始后的平均效果（{est}，Callaway-Sant'Anna 动态汇总）即使在"
            "平行趋势完全成立时也与 0 无法区分，无需任何偏离即可推翻这一结论。"
        )
        return
    if s.breakdown_mbar == float("inf"):
        r.meaning_en.append(
            "Sensitivity to parallel trends: the gap between the groups did not change at all "
            "between the periods before the start, so the relative-magnitude bound allows no "
            "violation after it; the bound says nothing here."
        )
        r.meaning_zh.append(
            "平行趋势敏感性：项目开始前各期两组差距完全没有变化，按相对幅度界定不允许开始后出现"
            "任何偏离，此处无法给出有意义的敏感性结论。"
        )
        return
    m = f"{s.breakdown_mbar:.2f}"
    r.meaning_en.append(
        f"Sensitivity to parallel trends (relative magnitudes, in the spirit of HonestDiD): the "
        f"average effect after the start ({est}) stays different from zero unless the gap "
        f"between the groups' trends changes from one period to the next by more than {m} times "
        f"the largest such change before the start ({worst}). "
        + (
            "Below 1: a violation as large as one already seen would overturn the conclusion."
            if s.breakdown_mbar < 1
            else "A violation as large as the worst one seen before the start would not."
        )
    )
    r.meaning_zh.append(
        f"平行趋势敏感性（相对幅度法，参照 HonestDiD）：只要项目开始后两组趋势差距每期的变化"
        f"不超过开始前最大变化（{worst}）的 {m} 倍，开始后的平均效果（{est}）就仍不为 0。"
        + (
            "该值小于 1：与事前已出现过的同等幅度的偏离就足以推翻结论。"
            if s.breakdown_mbar < 1
            else "与事前最大偏离同等幅度的偏离不会推翻结论。"
        )
    )


def _zh_name(estimator: str) -> str:
    return {"TWFE": "双向固定效应", "2x2": "2×2 双重差分"}.get(estimator, estimator)
