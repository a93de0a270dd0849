"""Writing values into XLSX cells safely, in one place (no Django).

- Control characters that openpyxl refuses (IllegalCharacterError) are dropped, so a value
  stored before the input was cleaned cannot make an export fail.
- Text starting with "=" is written as text, never as a live formula (a unit named
  ``=HYPERLINK(...)`` would otherwise run in the reader's Excel).
- Column letters come from openpyxl's helper (``chr(65 + i)`` breaks after column Z).
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter


def column_letter(index: int) -> str:
    """The letter of the 0-based column ``index``: 0 -> A, 25 -> Z, 26 -> AA."""
    return get_column_letter(index + 1)


def safe_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def safe_value(ws: Any, value: Any) -> Any:
    """A value ready for ``ws.append`` in write-only mode (or a plain cell assignment)."""
    if not isinstance(value, str):
        return value
    value = safe_text(value)
    if value.startswith("="):
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        return cell
    return value


def set_text(cell: Any, value: Any) -> None:
    """Assign ``value`` to a normal-mode cell with the same rules as :func:`safe_value`."""
    if isinstance(value, str):
        value = safe_text(value)
        cell.value = value
        if value.startswith("="):
            cell.data_type = "s"
    else:
        cell.value = value
