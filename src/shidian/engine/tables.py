"""Reading and writing the tables the engine works on: CSV (UTF-8, UTF-8 with BOM, GBK) and XLSX.

Chinese Excel saves CSV in GBK (code page 936); we read it as GB18030, its superset, when the
bytes are not valid UTF-8.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from shidian.engine.errors import EngineInputError

MAX_INPUT_BYTES = 512 * 1024 * 1024


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


def read_table(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX file into a DataFrame of strings and numbers, header on the first row.

    Raises :class:`EngineInputError` for a missing, empty or unreadable file.
    """
    path = Path(path)
    if not path.exists():
        raise EngineInputError(f"File not found: {path}")
    if path.stat().st_size == 0:
        raise EngineInputError(f"{path.name} is empty: it needs a header row and data rows.")
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise EngineInputError(f"{path.name} is larger than {MAX_INPUT_BYTES // 2**20} MB.")
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm", ".xls", ".ods"}:
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
        frame = _infer_numbers(frame)
    else:
        raise EngineInputError(f"{path.name}: use a .csv or .xlsx file (got '{suffix or 'none'}').")
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise EngineInputError(f"{path.name} has a header but no data rows.")
    dupes = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if dupes:
        raise EngineInputError(f"{path.name}: column(s) {', '.join(dupes)} appear more than once.")
    return frame


def _read_workbook(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        frame = pd.read_excel(path, sheet_name=sheet or 0, engine="calamine")
    except ValueError as exc:
        raise EngineInputError(f"{path.name}: {exc}") from exc
    except Exception as exc:  # calamine raises its own types for corrupt files
        raise EngineInputError(
            f"{path.name} is not a readable workbook ({type(exc).__name__}); "
            "open it in Excel or WPS and save it again as .xlsx."
        ) from exc
    return frame.dropna(how="all")


def _infer_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        values = frame[column].str.strip()
        converted = pd.to_numeric(values.replace("", np.nan), errors="coerce")
        if converted.notna().sum() == (values != "").sum() and (values != "").any():
            frame[column] = converted
    return frame


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
    ids = frame[column].astype(str).str.strip()
    blank = ids.eq("") | frame[column].isna()
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
    """Write by extension: .csv (UTF-8 with BOM, so Excel opens Chinese correctly) or .xlsx."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False, engine="openpyxl")
    else:
        raise EngineInputError(f"Output {path.name}: use a .csv or .xlsx file name.")
    return path
