"""The engine's problems and errors, told in the user's language: one table for every app.

The engine (no Django) reports a stable ``code`` with ``params`` and keeps a plain English text
for the command line (``shidian.engine.scoring.messages``). Pages never show that text: they
call :func:`describe`, which looks the code up here and fills in the params, so the Chinese
page reads Chinese and the English page reads the English catalog's sentence, never a mix.
A test keeps this table covering every code the scoring engine can produce.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shidian.engine.errors import EngineInputError
from shidian.engine.scoring.model import Problem

SENTENCES: dict[str, Promise] = {
    # the file as a whole
    "too_large": _("文件超过 %(limit_mb)s MB。"),
    "bad_type": _("请上传 .xlsx 或 .yaml 文件。"),
    "bad_file": _("文件无法读取：请在 Excel 或 WPS 中另存为 .xlsx 后重试。"),
    "bad_yaml": _("文件不是有效的 YAML，请检查这一行的缩进和冒号。"),
    "bad_format": _("文件应描述一个指标体系（代码、名称、一级指标）。"),
    "not_a_list": _("“%(field)s”应是一个列表，每项以“- code: ...”开头。"),
    "not_a_mapping": _("“%(field)s”的第 %(index)s 项应是含 code、name 等键的映射。"),
    "missing_header": _("找不到含“评分要点”和“分值”的表头行。"),
    "missing_dimension": _("第一条评分要点没有填写一级指标。"),
    "missing_indicator": _("评分要点没有填写二级指标。"),
    "no_dimensions": _("指标体系中没有一级指标。"),
    "no_indicators": _("一级指标 %(item)s 下面没有二级指标。"),
    "no_items": _("二级指标 %(item)s 下面没有评分要点。"),
    "total_mismatch": _("各评分要点分值之和为 %(total)s，与总分 %(declared)s 不一致。"),
    # one field of a row
    "missing_code": _("%(kind)s缺少代码。"),
    "duplicate_code": _("代码 %(item)s 重复（首次出现在第 %(first)s 行）。"),
    "not_text": _("%(item)s 的%(field)s应是文字，不能是列表或映射。"),
    "too_long": _("%(item)s 的%(field)s有 %(length)s 个字符，超过上限 %(limit)s。"),
    "not_a_number": _("%(item)s 的%(field)s“%(value)s”不是数字。"),
    "missing_max": _("%(item)s 缺少分值。"),
    "missing_text": _("%(item)s 没有评分要点内容。"),
    "bad_max": _("%(item)s 的分值不能为负数。"),
    "bad_weight": _("%(item)s 的权重不能为负数。"),
    "bad_method": _("%(item)s 的评分方式“%(value)s”无法识别，可用：%(allowed)s。"),
    "bad_direction": _("%(item)s 的方向“%(value)s”应为 higher（越高越好）或 lower（越低越好）。"),
    "bad_levels": _("%(item)s 的等级“%(value)s”缺少得分，应写成 A=10。"),
    "missing_levels": _("%(item)s 按等级评分，但缺少等级表（如 A=10;B=8;C=5;D=0）。"),
    "duplicate_level": _("%(item)s 的等级表中有重复的等级。"),
    "level_out_of_range": _("%(item)s 的等级 %(level)s 得 %(score)s 分，超出 0～%(max)s。"),
    "bad_thresholds": _("%(item)s 的分档“%(value)s”无法识别，应写成如“≥95%%:5；≥70%%:3；其他:0”。"),
    "mixed_directions": _(
        "%(item)s 的分档“%(value)s”与其余分档相互矛盾（≥ 与 ≤ 重叠）："
        "请统一方向，其余情况写“其他”。"
    ),
    "threshold_gap": _(
        "%(item)s 的分档“%(value)s”与其余分档之间留有空档，空档内的数值没有得分："
        "请为每一档写明得分，或用“其他”表示其余情况。"
    ),
    "missing_thresholds": _("%(item)s 缺少分档（如 ≥90%%:10；≥60%%:6；其他:0）。"),
    "threshold_out_of_range": _("%(item)s 的分档 %(bound)s 得 %(score)s 分，超出 0～%(max)s。"),
    "fallback_out_of_range": _("%(item)s 的“其他”得 %(score)s 分，超出 0～%(max)s。"),
    "ratio_bound_above_one": _(
        "%(item)s 是比例项，比例不会超过 1，分档 %(bound)s 无法区分："
        "请写成 %(bound)s%% 或 0.95 这样的小数。"
    ),
    "missing_ratio_labels": _("%(item)s 按比例评分，需要写明分子和分母。"),
    "veto_max": _("%(item)s 是一票否决项，分值应为 0。"),
    "sum_mismatch": _("%(item)s 下各项分值之和为 %(total)s，与其分值 %(declared)s 不一致。"),
    # answers
    "answer_not_a_number": _("“%(value)s”不是数字。"),
    "answer_out_of_range": _("得分应在 %(min)s 到 %(max)s 之间。"),
    "answer_negative": _("数值不能为负数。"),
    "answer_ratio_exceeds": _("%(numerator)s不能大于%(denominator)s。"),
    "answer_bad_level": _("等级“%(value)s”不在可选范围（%(allowed)s）内。"),
    "answer_not_yes_no": _("“%(value)s”不是“是”或“否”。"),
    "answer_unknown_method": _("评分方式 %(method)s 无法识别。"),
}

# Names of the fields and kinds a sentence refers to (params "field" and "kind"), in a context
# of their own: Django merges every app's catalog, and "名称" elsewhere is a column title.
FIELDS: dict[str, Promise] = {
    "code": pgettext_lazy("engine field", "代码"),
    "name": pgettext_lazy("engine field", "名称"),
    "text": pgettext_lazy("engine field", "评分要点内容"),
    "guidance": pgettext_lazy("engine field", "评分说明"),
    "numerator": pgettext_lazy("engine field", "分子名称"),
    "denominator": pgettext_lazy("engine field", "分母名称"),
    "level": pgettext_lazy("engine field", "等级"),
    "description": pgettext_lazy("engine field", "说明"),
    "note": pgettext_lazy("engine field", "修订说明"),
    "max_score": pgettext_lazy("engine field", "分值"),
    "weight": pgettext_lazy("engine field", "权重"),
    "fallback": pgettext_lazy("engine field", "“其他”得分"),
    "total_max": pgettext_lazy("engine field", "总分"),
    "standard": pgettext_lazy("engine field", "指标体系"),
    "dimension": pgettext_lazy("engine field", "一级指标"),
    "indicator": pgettext_lazy("engine field", "二级指标"),
    "item": pgettext_lazy("engine field", "评分要点"),
    "numerator_default": pgettext_lazy("engine field", "分子"),
    "denominator_default": pgettext_lazy("engine field", "分母"),
}
# YAML keys are shown as written (the user typed them), not translated.
LITERAL_FIELDS = {"dimensions", "indicators", "items"}


def _value(key: str, value: Any) -> Any:
    if key in ("field", "kind") and value not in LITERAL_FIELDS:
        label = FIELDS.get(str(value))
        return str(label) if label is not None else value
    if isinstance(value, float):
        return f"{value:g}"
    return "—" if value in (None, "") else value


def describe(source: Problem | EngineInputError) -> str:
    """The sentence for an engine problem or error in the active language.

    An error without a code (engines not yet given codes) keeps its English message.
    """
    code = source.code
    params: Mapping[str, Any] = source.params or {}
    sentence = SENTENCES.get(code or "")
    if sentence is None:
        return source.message
    values: dict[str, Any] = {"item": getattr(source, "item", "") or ""}
    values.update(params)
    if not values.get("numerator"):
        values["numerator"] = FIELDS["numerator_default"]
    if not values.get("denominator"):
        values["denominator"] = FIELDS["denominator_default"]
    return str(sentence) % _Filled({k: _value(k, v) for k, v in values.items()})


class _Filled(dict):
    """A missing param shows as "?" rather than breaking the page."""

    def __missing__(self, key: str) -> str:
        return "?"
