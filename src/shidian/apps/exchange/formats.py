"""Reading and writing exchange files: CSV (the csv module), JSON and XLSX (first sheet, read
only). Pure: no Django models. A file is a list of rows, each a dict of column -> value; the
row's index is its position among the data rows, from 1 (in a CSV, row 1 is the line after
the header)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

CSV, JSON, XLSX = "csv", "json", "xlsx"
FORMATS = (CSV, JSON, XLSX)
MAX_ROWS = 1_000_000
XLSX_MAGIC = b"PK\x03\x04"


class FormatError(Exception):
    """The file as a whole cannot be read (never one bad row: rows are rejected one by one)."""

    def __init__(self, message: str, code: str = "bad_file"):
        super().__init__(message)
        self.code = code
        self.message = message


def detect(*, data: bytes, content_type: str = "", filename: str = "", given: str = "") -> str:
    """The file's format: the one named, else the file name's ending, else the content type,
    else a look at the first bytes."""
    if given in FORMATS:
        return given
    name = filename.lower()
    for fmt in FORMATS:
        if name.endswith("." + fmt):
            return fmt
    kind = content_type.split(";")[0].strip().lower()
    if kind.endswith("json"):
        return JSON
    if "spreadsheetml" in kind:
        return XLSX
    if kind in ("text/csv", "application/csv"):
        return CSV
    if data.startswith(XLSX_MAGIC):
        return XLSX
    if data.lstrip()[:1] in (b"[", b"{"):
        return JSON
    return CSV


def _text(data: bytes) -> str:
    """UTF-8 (with or without BOM); a CSV saved by a Chinese Excel is GB18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise FormatError(_("文件编码无法识别，请保存为 UTF-8 编码的 CSV。")) from None


def _key(name: Any) -> str:
    return str(name or "").strip().lower()


def _table(header: Sequence[Any], body: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    keys = [_key(h) for h in header]
    rows = []
    for values in body:
        if not any(v not in (None, "") for v in values):
            rows.append({})  # an empty line keeps its index, and is rejected as such
            continue
        rows.append({k: v for k, v in zip(keys, values, strict=False) if k})
        if len(rows) > MAX_ROWS:
            raise FormatError(_("文件超过 %(max)d 行，请分批导入。") % {"max": MAX_ROWS})
    while rows and not rows[-1]:
        rows.pop()
    return rows


def read_csv(data: bytes) -> list[dict[str, Any]]:
    text = _text(data)
    # The header names the delimiter: a comma, or the tab or semicolon some exports use.
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first.count) if first else ","
    lines = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(lines, None)
        if header is None:
            raise FormatError(_("文件是空的。"))
        return _table(header, lines)
    except csv.Error as exc:
        raise FormatError(_("CSV 文件格式不正确：%(problem)s") % {"problem": exc}) from exc


def read_json(data: bytes) -> list[dict[str, Any]]:
    """A list of objects, or ``{"values": [...]}``."""
    try:
        parsed = json.loads(_text(data))
    except (ValueError, RecursionError) as exc:
        raise FormatError(_("JSON 格式不正确。")) from exc
    if isinstance(parsed, dict):
        parsed = parsed.get("values")
    if not isinstance(parsed, list):
        raise FormatError(_("JSON 应为数组，或含 values 数组的对象。"))
    if len(parsed) > MAX_ROWS:
        raise FormatError(_("文件超过 %(max)d 行，请分批导入。") % {"max": MAX_ROWS})
    return [{_key(k): v for k, v in row.items()} if isinstance(row, dict) else {} for row in parsed]


def read_xlsx(data: bytes) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the caller's
        raise FormatError(_("无法读取 Excel 文件。")) from exc
    try:
        lines = book.worksheets[0].iter_rows(values_only=True)
        header = next(lines, None)
        if header is None:
            raise FormatError(_("文件是空的。"))
        return _table(header, lines)
    finally:
        book.close()


def read_rows(data: bytes, fmt: str) -> list[dict[str, Any]]:
    if not data.strip():
        raise FormatError(_("文件是空的。"))
    reader = {CSV: read_csv, JSON: read_json, XLSX: read_xlsx}[fmt]
    return reader(data)


def require_columns(rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    """Refuse a file none of whose rows has every key column (a wrong file, not bad rows)."""
    present = set().union(*(row.keys() for row in rows)) if rows else set()
    missing = [c for c in columns if c not in present]
    if missing:
        raise FormatError(
            _("文件缺少列：%(columns)s。") % {"columns": ", ".join(missing)}, code="bad_columns"
        )


def write_csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()


def write_json(rows: Iterable[dict[str, Any]]) -> bytes:
    values = list(rows)
    return json.dumps({"count": len(values), "values": values}, ensure_ascii=False).encode()
