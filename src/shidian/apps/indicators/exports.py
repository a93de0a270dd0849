"""Indicator tables as XLSX: codes written as text (a code like 00123 keeps its zeros),
figures as numbers rounded as on the page, shares as percentages with one decimal."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from shidian.apps.indicators.selectors import Table
from shidian.xlsxcell import safe_text, safe_value


def _text_cell(ws: Any, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, safe_text(value))
    cell.data_type = "s"
    cell.number_format = "@"
    return cell


def _num(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def sheets_xlsx(sheets: list[tuple[str, list[str], list[list[Any]]]]) -> bytes:
    wb = Workbook(write_only=True)
    for title, headers, rows in sheets:
        ws = wb.create_sheet("".join("_" if c in "[]:*?/\\" else c for c in title)[:31] or "Sheet")
        ws.append([safe_value(ws, h) for h in headers])
        for row in rows:
            out = []
            for value in row:
                if isinstance(value, tuple) and value and value[0] == "text":
                    out.append(_text_cell(ws, value[1]))
                else:
                    out.append(safe_value(ws, value))
            ws.append(out)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def table_rows(table: Table, *, row_title: str) -> tuple[list[str], list[list[Any]]]:
    """A pivot table as headers and rows: [code,] label, one value per column, total."""
    with_codes = bool(table.codes)
    headers = ([_("代码")] if with_codes else []) + [row_title]
    single = len(table.columns) == 1 and table.columns[0][0] == ""
    if not single:
        headers += [label for _key, label in table.columns]
    headers.append(_("合计"))
    rows = []
    for line in table.grid():
        row: list[Any] = [("text", line["code"])] if with_codes else []
        row.append(line["label"])
        if not single:
            row += [_num(c.value) for c in line["cells"]]
        row.append(_num(line["total"].value))
        rows.append(row)
    if table.grand is not None:
        total = ([""] if with_codes else []) + [_("合计")]
        if not single:
            total += [None] * len(table.columns)
        total.append(_num(table.grand.value))
        rows.append(total)
    return headers, rows


def coverage_rows(
    table: Table, *, row_title: str, what: list[str]
) -> tuple[list[str], list[list[Any]]]:
    """The prefecture's shape: row, total, with the attribute, share (e.g. 67.7%)."""
    headers = ([_("代码")] if table.codes else []) + [row_title, *what, _("占比")]
    rows = []
    for line in table.grid():
        fig = line["total"]
        row: list[Any] = [("text", line["code"])] if table.codes else []
        row += [line["label"], fig.denominator, fig.numerator, fig.text(percent=True)]
        rows.append(row)
    if table.grand is not None:
        g = table.grand
        rows.append(
            ([""] if table.codes else [])
            + [_("合计"), g.denominator, g.numerator, g.text(percent=True)]
        )
    return headers, rows
