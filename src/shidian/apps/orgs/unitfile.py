"""Reading a units file (XLSX or CSV) into raw rows. Pure Python: no Django import.

Columns and the cleaning of each row are in ``unitrows.py``; the web layer (``importer.py``)
compares the rows with the database. Problems are raised as codes with parameters
(``UnitFileError.code``) so the web can show them in the user's language; ``str()`` gives a plain
English message for the CLI and logs.

Safety checks happen before any parser sees the bytes: the size limit, the magic bytes matching
the extension (an XLSX is a zip holding ``[Content_Types].xml``), and the uncompressed sizes of
the zip members (a zip bomb is refused before calamine inflates it).
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from dataclasses import dataclass, field
from typing import Any

from shidian.apps.orgs.unitrows import HEADER_LOOKUP, RawRow, normalise
from shidian.engine.errors import EngineInputError
from shidian.engine.tables import decode_text
from shidian.fileguard import PackageRejected, open_package
from shidian.textclean import clean_text
from shidian.xlsxcell import column_letter

MAX_ROWS = 50_000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
HEADER_SCAN_ROWS = 10
SHEET_NAMES = ("单位", "units", "unit", "组织机构")


class UnitFileError(EngineInputError):
    """The file as a whole cannot be read. ``code`` and ``params`` let the web translate it."""

    def __init__(self, code: str, message: str, **params: Any):
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass
class ParsedFile:
    kind: str  # "xlsx" or "csv"
    columns: list[str]  # recognised column keys, in file order
    rows: list[RawRow]
    sheet: str = ""
    ignored_sheets: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


# --- reading the file ---------------------------------------------------------------------------


def read_unit_file(data: bytes, filename: str, *, max_bytes: int) -> ParsedFile:
    """Check and read an uploaded units file; raise :class:`UnitFileError` with a clear reason."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if len(data) > max_bytes:
        raise UnitFileError(
            "too_large",
            f"The file is larger than {max_bytes // 2**20} MB.",
            limit_mb=max_bytes // 2**20,
        )
    if not data.strip():
        raise UnitFileError("empty", "The file is empty.")
    if suffix == "xlsx":
        grid, sheet, ignored, merged = _read_xlsx(data)
        parsed = _parse_grid(grid, kind="xlsx", merged=merged)
        parsed.sheet, parsed.ignored_sheets = sheet, ignored
    elif suffix == "csv":
        parsed = _parse_grid(_read_csv(data), kind="csv", merged=[])
    elif suffix == "xls":
        raise UnitFileError("old_xls", "Old .xls workbooks are not accepted: save as .xlsx.")
    else:
        raise UnitFileError(
            "bad_extension", f"Use a .xlsx or .csv file (got '{suffix}').", extension=suffix
        )
    return parsed


def _sniff_kind(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"  # old .xls, .doc
    if data.startswith(b"%PDF"):
        return "pdf"
    # A stray NUL from an exporting system is cleaned out of the cell later; many NULs mean a
    # binary file or UTF-16 text.
    sample = data[:8192]
    if sample.count(b"\x00") > len(sample) // 100:
        return "binary"
    return "text"


def _check_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return open_package(
            data,
            max_uncompressed=MAX_UNCOMPRESSED_BYTES,
            max_ratio=MAX_COMPRESSION_RATIO,
            required_parts=("[Content_Types].xml", "xl/workbook.xml"),
        )
    except PackageRejected as exc:
        if exc.code == "not_zip":
            raise UnitFileError(
                "not_xlsx",
                "The file is named .xlsx but is not an Excel workbook.",
                kind=_sniff_kind(data),
            ) from exc
        if exc.code == "corrupt":
            raise UnitFileError("corrupt_xlsx", "The workbook is damaged: save it again.") from exc
        if exc.code == "missing_part":
            raise UnitFileError(
                "not_xlsx", "The file is a zip archive, not an Excel workbook."
            ) from exc
        raise UnitFileError("zip_bomb", "The workbook expands to an implausible size.") from exc


def _read_xlsx(data: bytes) -> tuple[list[list[Any]], str, list[str], list[tuple]]:
    _check_zip(data)
    from python_calamine import CalamineWorkbook  # imported late: only XLSX needs it

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [
            m.name
            for m in book.sheets_metadata
            if str(m.typ).endswith("WorkSheet") and str(m.visible).endswith("Visible")
        ] or list(book.sheet_names)
        wanted = {normalise(n) for n in SHEET_NAMES}
        chosen = next((s for s in sheets if normalise(s) in wanted), sheets[0] if sheets else None)
        if chosen is None:
            raise UnitFileError("no_sheet", "The workbook has no worksheet.")
        sheet = book.get_sheet_by_name(chosen)
        grid = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS + HEADER_SCAN_ROWS + 1)
        merged = list(sheet.merged_cell_ranges or [])
    except UnitFileError:
        raise
    except Exception as exc:  # calamine raises its own types for corrupt files
        raise UnitFileError("corrupt_xlsx", "The workbook is damaged: save it again.") from exc
    ignored = [s for s in book.sheet_names if s != chosen]
    return grid, chosen, ignored, merged


def _read_csv(data: bytes) -> list[list[str]]:
    kind = _sniff_kind(data)
    if kind != "text":
        raise UnitFileError("not_csv", "The file is named .csv but is not a text table.", kind=kind)
    try:
        text = decode_text(data)
    except EngineInputError as exc:
        raise UnitFileError("encoding", "The file is neither UTF-8 nor GBK text.") from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", "\t", ";", "，"], key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise UnitFileError(
            "bad_csv", f"The CSV file is malformed: {exc}", detail=str(exc)
        ) from exc


def _cell(value: Any) -> str:
    """A cell as text without control characters (they would break every export later)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return clean_text(str(value))


def _parse_grid(grid: list[list[Any]], *, kind: str, merged: list[tuple]) -> ParsedFile:
    # The header is the first row naming a known column (a merged title row above is fine).
    header_index = None
    for index, raw in enumerate(grid[:HEADER_SCAN_ROWS]):
        if any(HEADER_LOOKUP.get(normalise(_cell(v))) for v in raw):
            header_index = index
            break
    for (r0, c0), (r1, c1) in [tuple(map(tuple, m)) for m in merged]:
        if header_index is not None and r0 <= header_index <= r1 and c1 > c0:
            span = f"{column_letter(c0)}{header_index + 1}:{column_letter(c1)}{header_index + 1}"
            raise UnitFileError(
                "merged_header",
                f"The header row has merged cells ({span}): unmerge them, one column per cell.",
                cells=span,
            )
    keys = set()
    if header_index is not None:
        keys = {HEADER_LOOKUP.get(normalise(_cell(v))) for v in grid[header_index]}
    if not {"code", "name"} <= keys:
        row = grid[header_index or 0] if grid else []
        seen = [_cell(v) for v in row if _cell(v)]
        raise UnitFileError(
            "no_header",
            "No header row with the columns code (代码) and name (名称) in the first rows.",
            found=", ".join(seen[:20]),
        )
    positions: dict[str, int] = {}
    ignored = []
    for col, value in enumerate(grid[header_index]):
        text = _cell(value)
        key = HEADER_LOOKUP.get(normalise(text))
        if key is None:
            if text:
                ignored.append(text)
            continue
        if key in positions:
            raise UnitFileError(
                "duplicate_column", f"The column '{text}' appears twice.", column=text
            )
        positions[key] = col
    rows = []
    for index in range(header_index + 1, len(grid)):
        raw = grid[index]
        values = {key: _cell(raw[col]) if col < len(raw) else "" for key, col in positions.items()}
        if not any(values.values()):
            continue
        rows.append(RawRow(line=index + 1, values=values))
        if len(rows) > MAX_ROWS:
            raise UnitFileError(
                "too_many_rows", f"More than {MAX_ROWS} rows: split the file.", limit=MAX_ROWS
            )
    if not rows:
        raise UnitFileError("no_rows", "The file has a header but no data rows.")
    columns = sorted(positions, key=positions.get)
    return ParsedFile(kind=kind, columns=columns, rows=rows, ignored_columns=ignored)
