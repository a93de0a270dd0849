"""The panel behind every figure as XLSX, in the columns ``shidian did`` reads."""

from __future__ import annotations

import io
import math

from django.http import FileResponse
from openpyxl import Workbook

from shidian.apps.evaluation.selectors import PANEL_COLUMNS, PanelTable
from shidian.xlsxcell import safe_value

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filename(programme, table: PanelTable) -> str:
    key = table.outcome.key.replace(":", "-")
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in key)
    return f"evaluation-{programme.pk}-{safe}-{table.period_mode}.xlsx"


def _cell(value):
    if hasattr(value, "item"):  # numpy scalars as plain Python numbers
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def panel_xlsx(table: PanelTable) -> bytes:
    """One sheet ``panel``: a header row, then one row per unit and period (codes as text)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("panel")
    ws.append(PANEL_COLUMNS)
    for row in table.frame[PANEL_COLUMNS].itertuples(index=False, name=None):
        values = list(row)
        values[0] = str(values[0])  # the unit code stays text ("007" is not 7)
        ws.append([safe_value(ws, _cell(v)) for v in values])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def panel_response(programme, table: PanelTable) -> FileResponse:
    data = panel_xlsx(table)
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=filename(programme, table), content_type=XLSX
    )
