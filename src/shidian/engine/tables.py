"""Reading and writing the tables the engine works on: CSV (UTF-8, UTF-8 with BOM, GBK) and XLSX.

Chinese Excel saves CSV in GBK (code page 936); we read it as GB18030, its superset, when the
bytes are not valid UTF-8.

Ids and codes are text, in and out: school code "0012" must not become the number 12, and
"430121000001" must not come back as 4.30121E+11. A column is read as text when the caller names
it (``text_columns``), when its header reads like an id (:func:`is_id_column`: id, code, 编号,
代码, ..._id), or when a value looks like a code rather than a quantity (a leading zero, more than
15 digits). Every other column whose cells are all numbers becomes numeric. XLSX output writes
text cells as text (never as formulas) through :mod:`shidian.xlsxcell`.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shidian.engine.errors import EngineInputError

MAX_INPUT_BYTES = 512 * 1024 * 1024
WORKBOOKS = {".xlsx", ".xlsm", ".xls", ".ods"}
# Headers of id and code columns (compared lower-case, stripped): exact names, then endings.
ID_NAMES = {"id", "code", "unit", "expert", "org", "path", "school", "学号", "工号", "身份证号"}
ID_SUFFIXES: tuple[str, ...] = ("_id", " id", "-id", "_code", " code", "-code", "_path", " path")
ID_SUFFIXES += ("代码", "编号", "标识码", "识别码", "id号")
# A value that is a code, not a number: "007", "0012" (but not "0" or "0.5"), or more digits than a
# float64 holds exactly.
CODE_LIKE = re.compile(r"^[+-]?0\d|^\d{16,}$")


def decode_text(data: bytes) -> str:
    """Decode CSV bytes: UTF-8 (a BOM is dropped), else GB18030 (covers GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise EngineInputError(
            "The file is neither UTF-8 nor GBK text: save it again as CSV (UTF-8) or XLSX."
        ) from exc


def read_table(
    path: str | Path, *, sheet: str | int | None = None, text_columns: Iterable[str] = ()
) -> pd.DataFrame:
    """Read a CSV or XLSX file into a DataFrame of strings and numbers, header on the first row.

    ``text_columns`` (and every column :func:`is_id_column` recognises) are read as text: see the
    module docstring. Raises :class:`EngineInputError` for a missing, empty or unreadable file.
    """
    path = Path(path)
    if not path.exists():
        raise EngineInputError(f"File not found: {path}")
    if path.stat().st_size == 0:
        raise EngineInputError(f"{path.name} is empty: it needs a header row and data rows.")
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise EngineInputError(f"{path.name} is larger than {MAX_INPUT_BYTES // 2**20} MB.")
    suffix = path.suffix.lower()
    if suffix in WORKBOOKS:
        frame = _read_workbook(path, sheet)
    elif suffix in {".csv", ".txt", ".tsv"}:
        text = decode_text(path.read_bytes())
        sep = "\t" if suffix == ".tsv" else ","
        try:
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        except pd.errors.EmptyDataError as exc:
            raise EngineInputError(f"{path.name} is empty: it needs a header row.") from exc
        except pd.errors.ParserError as exc:
            raise EngineInputError(f"{path.name} is not a valid CSV file: {exc}") from exc
    else:
        raise EngineInputError(f"{path.name}: use a .csv or .xlsx file (got '{suffix or 'none'}').")
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise EngineInputError(f"{path.name} has a header but no data rows.")
    dupes = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if dupes:
        raise EngineInputError(f"{path.name}: column(s) {', '.join(dupes)} appear more than once.")
    keep = {str(c).strip() for c in text_columns}
    for column in frame.columns:
        # CSV cells are all strings (the fast, vectorised path); workbook cells are typed.
        stripped = None if suffix in WORKBOOKS else frame[column].str.strip()
        if column in keep or is_id_column(column):
            frame[column] = stripped if stripped is not None else text_column(frame[column])
        else:
            frame[column] = _infer_numbers(frame[column], stripped)
    return frame


def is_id_column(name: str) -> bool:
    """True for headers that name ids or codes (id, code, 编号, 学校代码, unit_id, org_path...)."""
    text = str(name).strip().lower()
    return text in ID_NAMES or text.endswith(ID_SUFFIXES)


def cell_text(value: Any) -> str:
    """One cell as text: whole numbers without ".0", blanks as ""."""
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value))
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if value is pd.NaT:
        return ""
    return str(value).strip()


def text_column(values: pd.Series) -> pd.Series:
    """``values`` as text (see :func:`cell_text`); lossless for what :func:`read_table` read."""
    return values.map(cell_text).astype(object)


def _read_workbook(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        # dtype=object: pandas would otherwise parse the text cell "007" as the number 7.
        frame = pd.read_excel(path, sheet_name=sheet or 0, engine="calamine", dtype=object)
    except ValueError as exc:
        raise EngineInputError(f"{path.name}: {exc}") from exc
    except Exception as exc:  # calamine raises its own types for corrupt files
        raise EngineInputError(
            f"{path.name} is not a readable workbook ({type(exc).__name__}); "
            "open it in Excel or WPS and save it again as .xlsx."
        ) from exc
    return frame.dropna(how="all")


def _infer_numbers(values: pd.Series, text: pd.Series | None = None) -> pd.Series:
    """The column as numbers when every filled cell is one and none is a code; else unchanged.

    ``text`` is the column already as stripped strings, when the caller has it.
    """
    if text is None:
        text = values.map(cell_text)
    filled = text != ""
    if not filled.any() or text[filled].str.contains(CODE_LIKE).any():
        return values
    converted = pd.to_numeric(text.where(filled, np.nan), errors="coerce")
    if converted.notna().sum() != filled.sum():
        return values
    return converted


def require_columns(frame: pd.DataFrame, columns: Iterable[str], *, source: str = "input") -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        available = ", ".join(map(str, frame.columns))
        raise EngineInputError(
            f"{source}: missing column(s) {', '.join(missing)}. Columns present: {available}.",
            column=missing[0],
        )


def numeric_column(frame: pd.DataFrame, column: str, *, allow_missing: bool = False) -> np.ndarray:
    """Return ``column`` as float64; name the first row holding text or a blank."""
    require_columns(frame, [column])
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    blank = raw.isna() | raw.astype(str).str.strip().eq("")
    text = values.isna() & ~blank
    bad = text if allow_missing else (text | blank)
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        problem = "is empty" if blank.iloc[position] else f"'{raw.iloc[position]}' is not a number"
        raise EngineInputError(
            f"Column '{column}', row {position + 2}: {problem}. Fix the value or remove the row.",
            column=column,
            row=position + 2,
        )
    return values.to_numpy(dtype=float)


def unique_ids(frame: pd.DataFrame, column: str) -> pd.Series:
    require_columns(frame, [column])
    ids = text_column(frame[column])
    blank = ids.eq("")
    if blank.any():
        row = int(np.flatnonzero(blank.to_numpy())[0]) + 2
        raise EngineInputError(
            f"Column '{column}', row {row}: the id is empty.", column=column, row=row
        )
    dup = ids.duplicated(keep="first")
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 2
        raise EngineInputError(
            f"Column '{column}', row {row}: id '{ids.iloc[row - 2]}' appears more than once; "
            "ids must be unique.",
            column=column,
            row=row,
        )
    return ids


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write by extension: .csv (UTF-8 with BOM, so Excel opens Chinese correctly) or .xlsx.

    In XLSX, text stays text (a code "0012" is not turned into 12 by Excel, "=..." is never a
    formula) and numbers stay numbers.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        _write_xlsx(frame, path)
    else:
        raise EngineInputError(f"Output {path.name}: use a .csv or .xlsx file name.")
    return path


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell

    from shidian.xlsxcell import safe_value

    book = Workbook(write_only=True)
    ws = book.create_sheet("Sheet1")
    ws.append([safe_value(ws, str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for value in row:
            value = _plain(value)
            if isinstance(value, str):
                cell = safe_value(ws, value)
                if not isinstance(cell, Cell):
                    cell = WriteOnlyCell(ws, cell)
                cell.number_format = "@"  # text format: "0012" stays as typed when edited
                cells.append(cell)
            else:
                cells.append(value)
        ws.append(cells)
    book.save(path)


def _plain(value: Any) -> Any:
    """NumPy and pandas scalars as plain Python values; blanks as None."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value
