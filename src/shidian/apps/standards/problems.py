"""Row-level problems of a standard file, told in the user's language.

The scoring engine (no Django) reports each problem with a stable ``code`` and a plain English
``message``; the pages show the translated sentence for the code, naming the item, and keep the
engine's English detail for the English interface.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shidian.engine.scoring.model import Problem

SENTENCES = {
    "bad_answer": _("评分要点 %(item)s 的填报值无效。"),
    "bad_file": _("文件无法读取：请在 Excel 或 WPS 中另存为 .xlsx 后重试。"),
    "bad_format": _("文件应描述一个指标体系（代码、名称、一级指标）。"),
    "bad_max": _("%(item)s 的分值不能为负数。"),
    "bad_thresholds": _("%(item)s 的分档阈值格式不对，应为“下限:得分”。"),
    "bad_weight": _("%(item)s 的权重不能为负数。"),
    "bad_yaml": _("文件不是有效的 YAML。"),
    "duplicate_code": _("代码 %(item)s 重复。"),
    "duplicate_level": _("%(item)s 的等级表中有重复的等级。"),
    "empty": _("%(item)s 下面没有内容。"),
    "missing_code": _("缺少代码。"),
    "missing_dimension": _("第一条评分要点没有填写一级指标。"),
    "missing_header": _("找不到含“评分要点”和“分值”的表头行。"),
    "missing_indicator": _("评分要点没有填写二级指标。"),
    "missing_levels": _("%(item)s 按等级评分，但缺少等级表（如 A=10;B=8;C=5;D=0）。"),
    "missing_max": _("%(item)s 缺少分值。"),
    "missing_ratio_labels": _("%(item)s 按比例评分，需要写明分子和分母。"),
    "missing_text": _("%(item)s 没有评分要点内容。"),
    "missing_thresholds": _("%(item)s 缺少分档阈值（如 >=0.9:10;>=0.6:6）。"),
    "not_a_number": _("%(item)s 中有一个值不是数字。"),
    "sum_mismatch": _("各评分要点分值之和与总分不一致。"),
    "veto_max": _("%(item)s 是一票否决项，分值应为 0。"),
    "level_out_of_range": _("%(item)s 的某个等级得分超出了分值范围。"),
    "threshold_out_of_range": _("%(item)s 的某个分档得分超出了分值范围。"),
}


def describe(problem: Problem) -> str:
    """The sentence to show for ``problem`` in the active language."""
    sentence = SENTENCES.get(problem.code)
    if sentence is None or (get_language() or "").startswith("en"):
        return problem.message
    if problem.code == "empty" and not problem.item:
        return str(_("指标体系中没有一级指标。"))
    item = problem.item or "—"
    return str(sentence) % {"item": item} if "%(item)s" in str(sentence) else str(sentence)
