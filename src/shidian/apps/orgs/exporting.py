"""Units to XLSX: the export (same columns as the import) and the import template."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from shidian.apps.orgs.models import OrgUnit
from shidian.apps.orgs.unitrows import (
    CLEAR_MARKERS,
    COLUMN_KEYS,
    COLUMNS,
    LEVEL_VALUES,
    LOCALITY_VALUES,
    SCHOOL_TYPE_VALUES,
    ZH_HEADER,
)
from shidian.xlsxcell import column_letter, safe_value

HEADER_FILL = PatternFill("solid", fgColor="EEF1F4")
WIDTHS = {"code": 16, "name": 30, "parent_code": 16, "address": 30, "zone": 14}
# Values are written as Chinese labels, the form bureaus type: the first spelling the import
# accepts for each value, so an exported file always reads back.
LABELS = {
    key: {value: spellings[0] for value, spellings in table.items()}
    for key, table in (
        ("level", LEVEL_VALUES),
        ("school_type", SCHOOL_TYPE_VALUES),
        ("locality", LOCALITY_VALUES),
    )
}
EXPORT_FIELDS = [
    "code",
    "name",
    "parent__code",
    "level",
    "school_type",
    "locality",
    "zone__code",
    "address",
    "latitude",
    "longitude",
    "students",
    "teachers",
    "classes",
    "classrooms",
    "has_fibre",
    "multimedia_classrooms",
]


def _header(ws: Any) -> None:
    ws.append([safe_value(ws, ZH_HEADER[k]) for k in COLUMN_KEYS])


def _cell(key: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if key in LABELS:
        return LABELS[key].get(value, value)
    if key == "has_fibre":
        return "是" if value else "否"
    return value


def _rows(units: Iterable[tuple]) -> Iterable[list[Any]]:
    for row in units:
        yield [_cell(key, value) for key, value in zip(COLUMN_KEYS, row, strict=True)]


def export_units(units: Any, *, progress: Any = None) -> bytes:
    """The units (a queryset the caller has already scoped and filtered) as an XLSX file;
    ``progress(done, total)`` is called as rows are written (the background export)."""
    book = Workbook(write_only=True)
    ws = book.create_sheet("单位")
    ws.freeze_panes = "A2"
    for index, key in enumerate(COLUMN_KEYS):
        ws.column_dimensions[column_letter(index)].width = WIDTHS.get(key, 10)
    _header(ws)
    total = units.count() if progress is not None else 0
    rows = _rows(units.order_by("path").values_list(*EXPORT_FIELDS).iterator(chunk_size=5000))
    for done, row in enumerate(rows, start=1):
        ws.append([safe_value(ws, value) for value in row])
        if progress is not None:
            progress(done, total)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_workbook() -> bytes:
    """An empty units sheet with drop-downs, and a second sheet explaining every column."""
    book = Workbook()
    ws = book.active
    ws.title = "单位"
    _header(ws)
    for index, key in enumerate(COLUMN_KEYS):
        letter = column_letter(index)
        ws.column_dimensions[letter].width = WIDTHS.get(key, 11)
        cell = ws[f"{letter}1"]
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        if key in LABELS:
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(LABELS[key].values()) + '"',
                allow_blank=True,
                showErrorMessage=False,
            )
            rule.add(f"{letter}2:{letter}20001")
            ws.add_data_validation(rule)
    ws.freeze_panes = "A2"

    notes = book.create_sheet(_("说明"))
    notes.append([_("列名"), _("英文列名"), _("必填"), _("说明"), _("可填的值")])
    for cell in notes[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for key, zh, en, _aliases in COLUMNS:
        required, text, allowed = _explain(key)
        notes.append([zh, en, required, text, allowed])
    notes.append([])
    notes.append(
        [
            _(
                "已有单位：文件中没有的列和空白单元格都保持原值不变；要清空某个值，请在单元格中"
                "填写 %(marker)s（也可写 清空 或 (clear)）。名称、上级代码、层级不能清空。"
            )
            % {"marker": CLEAR_MARKERS[0]}
        ]
    )
    notes.append([_("可以用中文或英文列名；层级、学校类型、城乡可填中文名称或英文代码。")])
    for letter, width in zip("ABCDE", (14, 22, 8, 60, 50), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _explain(key: str) -> tuple[str, str, str]:
    yes, no, new = _("是"), _("否"), _("新单位必填")
    explanations = {
        "code": (
            yes,
            _("单位的唯一代码（如学校标识码），导入按代码匹配：已有则更新，没有则新建。"),
            "",
        ),
        "name": (yes, _("单位全称。"), ""),
        "parent_code": (
            new,
            _(
                "上级单位的代码：可以是已有单位，也可以是本文件中的另一行（顺序不限）。"
                "已有单位填写不同的上级即表示移动。"
            ),
            "",
        ),
        "level": (new, _("组织层级。"), "、".join(LABELS["level"].values())),
        "school_type": (
            no,
            _("学校的办学类型，非学校留空。"),
            "、".join(LABELS["school_type"].values()),
        ),
        "locality": (no, _("学校所在地的城乡分类。"), "、".join(LABELS["locality"].values())),
        "zone": (no, _("所属片区的代码或名称。"), ""),
        "address": (no, _("地址。"), ""),
        "latitude": (no, _("纬度（十进制度数）。"), "-90 ~ 90"),
        "longitude": (no, _("经度（十进制度数）。"), "-180 ~ 180"),
        "students": (no, _("在校学生人数。"), _("非负整数")),
        "teachers": (no, _("教师人数。"), _("非负整数")),
        "classes": (no, _("班级数。"), _("非负整数")),
        "classrooms": (no, _("教室数。"), _("非负整数")),
        "has_fibre": (no, _("是否光纤接入互联网。"), _("是、否")),
        "multimedia_classrooms": (no, _("配备多媒体设备的教室数。"), _("非负整数")),
    }
    required, text, allowed = explanations[key]
    return str(required), str(text), str(allowed)


def export_filename(unit: OrgUnit | None) -> str:
    code = re.sub(r"[^A-Za-z0-9_-]", "", unit.code) if unit else "all"
    return f"units-{code or 'unit'}.xlsx"
