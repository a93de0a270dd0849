"""Every dashboard table as an XLSX download (openpyxl write-only mode: fast for 7,167 rows)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell


def text_cell(ws, value):
    """A value as written: openpyxl would store a string starting with "=" as a live formula
    (a unit named =HYPERLINK(...) would run in the reader's Excel), so such text stays text."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        return cell
    return value


def table_xlsx(title: str, headers: list[str], rows: list[list]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(headers)
    for row in rows:
        ws.append([text_cell(ws, value) for value in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
