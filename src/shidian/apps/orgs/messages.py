"""Translated texts for the import's problem codes and column keys (shown in the dry run)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.orgs.models import Level, Locality, SchoolType

COLUMN_LABELS = {
    "code": gettext_lazy("代码"),
    "name": gettext_lazy("名称"),
    "parent_code": gettext_lazy("上级代码"),
    "level": gettext_lazy("层级"),
    "school_type": gettext_lazy("学校类型"),
    "locality": gettext_lazy("城乡"),
    "zone": gettext_lazy("片区"),
    "address": gettext_lazy("地址"),
    "latitude": gettext_lazy("纬度"),
    "longitude": gettext_lazy("经度"),
    "students": gettext_lazy("学生数"),
    "teachers": gettext_lazy("教师数"),
    "classes": gettext_lazy("班级数"),
    "classrooms": gettext_lazy("教室数"),
    "has_fibre": gettext_lazy("光纤接入"),
    "multimedia_classrooms": gettext_lazy("多媒体教室数"),
}


def problem_text(code: str, params: dict[str, Any]) -> str:
    """One rejected row's reason in the user's language (falls back to the code)."""
    texts = {
        # the file as a whole
        "too_large": _("文件超过 %(limit_mb)s MB，请拆分后再上传。"),
        "empty": _("文件是空的。"),
        "old_xls": _("不支持旧版 .xls 文件：请在 Excel 或 WPS 中另存为 .xlsx。"),
        "bad_extension": _("请上传 .xlsx 或 .csv 文件。"),
        "not_xlsx": _("文件扩展名是 .xlsx，但内容不是 Excel 工作簿。"),
        "corrupt_xlsx": _("工作簿已损坏，无法读取：请在 Excel 或 WPS 中重新保存。"),
        "zip_bomb": _("工作簿解压后大小异常，已拒绝。"),
        "no_sheet": _("工作簿中没有工作表。"),
        "not_csv": _("文件扩展名是 .csv，但内容不是文本表格。"),
        "encoding": _("文件既不是 UTF-8 也不是 GBK 编码：请另存为 CSV（UTF-8）或 XLSX。"),
        "bad_csv": _("CSV 文件格式有误：%(detail)s"),
        "no_header": _("前几行中找不到包含“代码”和“名称”两列的表头。第一行是：%(found)s"),
        "merged_header": _("表头有合并单元格（%(cells)s）：请取消合并，每列一个单元格。"),
        "duplicate_column": _("“%(column)s”列出现了两次。"),
        "too_many_rows": _("超过 %(limit)s 行：请拆分文件。"),
        "no_rows": _("文件只有表头，没有数据行。"),
        # one row
        "missing_code": _("代码为空。"),
        "bad_code": _("代码“%(value)s”含有空格。"),
        "missing_name": _("名称为空。"),
        "too_long": _("%(column)s过长：%(length)s 个字符，最多 %(limit)s 个。"),
        "cannot_clear": _("%(column)s不能清空。"),
        "unknown_level": _("未知的层级“%(value)s”。"),
        "unknown_school_type": _("未知的学校类型“%(value)s”。"),
        "unknown_locality": _("未知的城乡类型“%(value)s”。"),
        "bad_number": _("%(column)s“%(value)s”不是有效的数字。"),
        "bad_boolean": _("%(column)s“%(value)s”应填“是”或“否”。"),
        "missing_level": _("新单位必须填写层级。"),
        "duplicate_code": _("代码在文件中重复出现（第 %(lines)s 行）。"),
        "code_outside_scope": _("代码 %(code)s 已被您权限范围外的单位使用。"),
        "cannot_move_own_unit": _("不能更改您自己单位的上级。"),
        "missing_parent": _("上级代码为空。"),
        "unknown_parent": _("上级代码 %(parent)s 既不在文件中，也不是已有单位。"),
        "parent_outside_scope": _("上级单位 %(parent)s 不在您的权限范围内。"),
        "cycle": _("上下级形成循环：%(chain)s。"),
        "bad_level_order": _("层级“%(level)s”不能放在层级为“%(parent_level)s”的单位之下。"),
        "ambiguous_zone": _("有多个片区叫“%(zone)s”：请填写片区代码。"),
        "unknown_zone": _("找不到片区“%(zone)s”。"),
        "parent_rejected": _("上级单位 %(parent)s（第 %(line)s 行）被拒绝。"),
        "zone_rejected": _("片区 %(zone)s（第 %(line)s 行）被拒绝。"),
        "too_deep": _("层级过深。"),
    }
    params = dict(params)
    levels = dict(Level.choices)
    for key in ("level", "parent_level"):
        if key in params:
            params[key] = str(levels.get(params[key], params[key]))
    if "column" in params:  # a column key from the reader, or a header text as found
        params["column"] = str(COLUMN_LABELS.get(params["column"], params["column"]))
    text = texts.get(code)
    if text is None:
        return code
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return text


def display_value(key: str, value: Any) -> str:
    """A cell value as a person reads it: labels for choices, 是/否 for booleans."""
    if value is None or value == "":
        return "—"
    choices = {"level": Level, "school_type": SchoolType, "locality": Locality}.get(key)
    if choices is not None:
        return str(dict(choices.choices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)
