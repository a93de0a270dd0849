"""Every dashboard table as an XLSX download (openpyxl write-only mode: fast for 7,167 rows)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from shidian.xlsxcell import safe_text, safe_value


def table_xlsx(
    title: str,
    headers: list[str],
    rows: list[list],
    *,
    extra: list[tuple[str, list[str], list[list]]] = (),
) -> bytes:
    """One table per worksheet: ``title``'s first, then each of ``extra`` (title, headers,
    rows)."""
    wb = Workbook(write_only=True)
    for name, head, body in [(title, headers, rows), *extra]:
        ws = wb.create_sheet(_sheet_title(str(name)))
        ws.append([safe_value(ws, str(h)) for h in head])
        for row in body:
            ws.append([safe_value(ws, value) for value in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _sheet_title(name: str) -> str:
    # Excel refuses these characters in sheet names, and more than 31 characters.
    return "".join("_" if c in "[]:*?/\\" else c for c in safe_text(name))[:31] or "Sheet"
