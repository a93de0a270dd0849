"""Every dashboard table as an XLSX download (openpyxl write-only mode: fast for 7,167 rows)."""

from __future__ import annotations

import io

from openpyxl import Workbook


def table_xlsx(title: str, headers: list[str], rows: list[list]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
