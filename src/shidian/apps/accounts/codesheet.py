"""The activation-code list (XLSX) the office hands out through the bureau's own channels.

Every value is written as text (a school code such as 3140001234 stays a code, not a number in
scientific notation; a code never turns into a date), and through ``shidian.xlsxcell`` so a unit
name starting with "=" stays text and control characters cannot break the file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from shidian.xlsxcell import column_letter, safe_text

HEADER_FILL = PatternFill("solid", fgColor="EEF1F4")
WIDTHS = (16, 34, 18, 20, 16, 18)


@dataclass(frozen=True)
class CodeRow:
    unit_code: str
    unit_name: str
    zone: str
    username: str
    code: str
    expires_at: datetime


def _text(ws, value: str, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, safe_text(str(value)))
    cell.data_type = "s"  # never a formula, number or date, whatever it looks like
    cell.number_format = "@"
    if bold:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    return cell


def headers() -> list[str]:
    return [_("单位代码"), _("单位名称"), _("片区"), _("用户名"), _("激活码"), _("有效期至")]


def code_workbook(rows: Iterable[CodeRow], *, login_url: str) -> bytes:
    """Sheet 1: one row per account; sheet 2: how to log in for the first time."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(_("激活码"))
    ws.freeze_panes = "A2"
    for index, width in enumerate(WIDTHS):
        ws.column_dimensions[column_letter(index)].width = width
    ws.append([_text(ws, h, bold=True) for h in headers()])
    for row in rows:
        expires = timezone.localtime(row.expires_at).strftime("%Y-%m-%d %H:%M")
        values = (row.unit_code, row.unit_name, row.zone, row.username, row.code, expires)
        ws.append([_text(ws, v) for v in values])
    notes = book.create_sheet(_("说明"))
    notes.column_dimensions["A"].width = 100
    for line in (
        _("首次登录步骤"),
        _("1. 打开 %(url)s ，点击“首次登录（激活码）”。") % {"url": login_url},
        _("2. 输入本表中的用户名和激活码（不区分大小写，可省略短横线）。"),
        _("3. 设置自己的密码，之后用用户名和密码登录。"),
        _("激活码只能使用一次，过期后请联系项目办公室重新生成。请勿公开发布本表。"),
    ):
        notes.append([_text(notes, line)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(unit_code: str, batch_id: int, when: datetime | None = None) -> str:
    code = re.sub(r"[^A-Za-z0-9_-]", "", unit_code) or "unit"
    stamp = timezone.localtime(when or timezone.now()).strftime("%Y%m%d-%H%M")
    return f"activation-codes-{code}-{batch_id}-{stamp}.xlsx"
