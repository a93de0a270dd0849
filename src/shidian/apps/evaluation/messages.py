"""Why no estimate exists, and the engine's notes, in the user's language: by code, never by
matching the engine's English text (the engine's codes are listed in
docs/engine-assignment-did.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REFUSALS: dict[str, Promise] = {
    # the page's own checks, before the engine runs
    "eval_no_rounds": _(
        "该项目还没有自查赋分活动：效果评估需要各单位在多个年度（或轮次）提交的得分。"
    ),
    "eval_no_pilots": _("该项目还没有分入批次的试点学校，无法评估效果。"),
    "eval_no_controls": _(
        "该项目没有对照学校（遴选中匹配的对照组，或状态为“对照”的单位），"
        "没有可比较的对象，无法估计效果。"
    ),
    "eval_no_data": _("所选指标在您可见的单位中没有已提交的得分，无法估计效果。"),
    # the other outcome sources (selectors.REPORTS / EXPERT_MIDTERM / EXPERT_ACCEPTANCE)
    "eval_no_report_periods": _("该报表还没有报送期，没有可用的报表数据。"),
    "eval_no_midterm": _(
        "该项目还没有计入评分的中期初评（没有中期初评，或专家评审结果尚未公布）：没有中期评分可用。"
    ),
    "eval_no_acceptance": _("该项目还没有验收：没有验收评分可用。"),
    "eval_midterm_no_comparison": _(
        "中期初评只为已进入项目的试点学校评分：对照学校没有中期评分，试点学校也没有进入项目前的"
        "中期评分。既没有对照也没有“项目前”，无法做双重差分。"
        "请改用自查赋分或周期报表作为结果指标。"
    ),
    "eval_acceptance_cross_section": _(
        "验收只在试点学校进入项目之后进行一次：试点没有项目前的验收评分，对照学校也不参加验收。"
        "因此验收评分不能做双重差分，只能横向比较（见下表各批次的分布）；"
        "批次之间的差别可能来自学校本身或验收时间，不能说明项目带来了多少变化。"
    ),
    # the engine's refusals (shidian.engine.did)
    "did_one_period": _(
        "只有一个时期（%(period)s）：双重差分需要项目开始前和开始后各至少一个时期的得分。"
    ),
    "did_no_treated": _(
        "没有一所试点学校在所选时期内进入项目（或所有批次都在最后一个时期之后进入），"
        "没有可估计的效果。"
    ),
    "did_no_controls": _(
        "所有单位都是同一批次进入的试点，没有从未参与的对照单位，没有可比较的对象。"
    ),
    "did_no_pre_period": _(
        "所有试点学校在有得分的第一个时期就已进入项目：没有项目开始前的得分，"
        "无法比较前后变化。请补充更早时期的自查得分。"
    ),
    "did_constant_outcome": _("所选指标在所有单位、所有时期的得分都相同，没有可比较的变化。"),
    "did_outcome_never_changes": _(
        "所选指标在每个单位内部各时期都没有变化：双重差分比较的是变化，这里没有变化。"
    ),
    "did_never_starts": _("在所选时期内没有一个单位处于项目实施期，项目从未开始。"),
    "did_no_se": _(
        "%(estimator)s 无法估计标准误（模型完全拟合数据，或可比较的单位太少），"
        "因此没有置信区间和 p 值可报告。"
    ),
    "did_cs_too_few_never": _(
        "从未参与的对照单位只有 %(units)s 个，少于 Callaway & Sant'Anna 估计所需的 5 个。"
    ),
    "did_cs_no_post": _(
        "没有一个批次在进入后有可与对照组比较的时期，Callaway & Sant'Anna 没有可平均的效果。"
    ),
    "did_cs_failed": _("Callaway & Sant'Anna 估计无法完成（数据不足以估计各批次各期的效果）。"),
}
# A source's own wording of a refusal, "<code>:<source>" (refusal_text falls back to the code's).
SOURCE_REFUSALS: dict[str, Promise] = {
    "eval_no_data:reports": _(
        "所选报表字段在您可见的单位中没有已报送（已提交、已重新提交或已通过）的数值，无法估计效果。"
    ),
    "eval_no_data:midterm": _("中期初评在您可见的单位中还没有计入的评分，无法估计效果。"),
    "eval_no_data:acceptance": _("验收在您可见的试点学校中还没有专家评分。"),
    "did_no_pre_period:reports": _(
        "所有试点学校在有报表数据的第一个时期就已进入项目：没有项目开始前的报表数据，"
        "无法比较前后变化。周期报表通常在项目开始后才报送，可改用自查赋分。"
    ),
    "did_no_pre_period:midterm": _(
        "所有有中期评分的试点学校在第一次评分时就已进入项目：没有项目开始前的中期评分，"
        "无法比较前后变化。请改用自查赋分或周期报表作为结果指标。"
    ),
    "did_one_period:reports": _(
        "报表数据只有一个时期（%(period)s）：双重差分需要项目开始前和开始后各至少一个时期的数据。"
    ),
    "did_constant_outcome:reports": _(
        "所选报表字段在所有单位、所有时期的数值都相同，没有可比较的变化。"
    ),
}
FALLBACK = _("无法根据这些数据估计效果。")

NOTES: dict[str, Promise] = {
    "did_already_treated": _(
        "%(units)s 个试点单位在有得分的第一个时期就已进入项目，没有“项目前”的得分，已从估计中排除。"
    ),
    "did_late_cohort": _(
        "%(units)s 个试点单位的批次在最后一个时期之后才进入项目：与 R 的 did 包相同，"
        "它们在这段时期内按“从未参与”处理，作为对照单位参与比较。"
    ),
    "did_no_never_treated": _(
        "没有从未参与的单位：比较使用尚未进入的试点学校，双向固定效应会把较早进入的试点"
        "当作较晚进入者的对照。"
    ),
    "did_cs_too_few_never": _(
        "未做 Callaway & Sant'Anna 估计：从未参与的对照单位只有 %(units)s 个，少于所需的 5 个。"
    ),
}


class _Filled(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def refusal_text(
    code: str | None, params: Mapping[str, Any] | None = None, source: str | None = None
) -> str:
    """The sentence for ``code``, in the source's own wording when it has one."""
    sentence = SOURCE_REFUSALS.get(f"{code}:{source}") or REFUSALS.get(code or "")
    if sentence is None:
        return str(FALLBACK)
    return str(sentence) % _Filled(params or {})


def note_texts(note_params: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return [
        str(NOTES[code]) % _Filled(params or {})
        for code, params in note_params.items()
        if code in NOTES
    ]
