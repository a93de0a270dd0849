"""Builders of units files for the tests (XLSX and CSV, in memory)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

HEADER = ["代码", "名称", "上级代码", "层级", "学校类型", "城乡", "片区", "学生数"]


def xlsx(rows, header=HEADER, *, sheet="Sheet1", extra_sheets=(), merge=None, before=()) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in before:
        ws.append(list(row))
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    if merge:
        ws.merge_cells(merge)
    for name, content in extra_sheets:
        other = book.create_sheet(name)
        for row in content:
            other.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header=HEADER, *, encoding="utf-8") -> bytes:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def zip_bomb() -> bytes:
    """A zip with an XLSX's names whose worksheet inflates to ~300 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    return buffer.getvalue()


# Schools of county A (tests/conftest.py tree) in a new zone, parents listed AFTER children.
NEW_ZONE_ROWS = [
    ["A2-1", "甲县第三小学", "A2", "学校", "小学", "乡村", "A2", "120"],
    ["A2-2", "甲县石桥教学点", "A2-1", "学校", "教学点", "乡村", "甲县西片区", "15"],
    ["A2", "甲县西片区", "A", "片区", "", "", "", ""],
]
