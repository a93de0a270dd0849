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


def refusal_text(code: str | None, params: Mapping[str, Any] | None = None) -> str:
    sentence = REFUSALS.get(code or "")
    if sentence is None:
        return str(FALLBACK)
    return str(sentence) % _Filled(params or {})


def note_texts(note_params: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return [
        str(NOTES[code]) % _Filled(params or {})
        for code, params in note_params.items()
        if code in NOTES
    ]
