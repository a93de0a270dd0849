"""Every dashboard table as an XLSX download (openpyxl write-only mode: fast for 7,167 rows)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from shidian.xlsxcell import safe_value


def table_xlsx(title: str, headers: list[str], rows: list[list]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append([safe_value(ws, h) for h in headers])
    for row in rows:
        ws.append([safe_value(ws, value) for value in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
