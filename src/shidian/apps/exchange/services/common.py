"""Small helpers both data sets use: reading a key column, the caller's units by code, the
export's unit filter, numbers as text."""

from __future__ import annotations

from typing import Any

from shidian.apps.core.access import VIEW
from shidian.apps.exchange.summary import REJECTED, Summary
from shidian.apps.orgs.models import OrgUnit
from shidian.apps.orgs.paths import subtree_upper_bound

KEY_MAX = 64


def key(row: dict[str, Any], column: str) -> str:
    """A key column as text ("" when missing or too long to be any key)."""
    value = row.get(column)
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an Excel cell holding 12 reads as 12.0
    text = str(value).strip()
    return text if len(text) <= KEY_MAX and "\x00" not in text else ""


def keyed_rows(
    rows: list[dict[str, Any]], keys: tuple[str, ...], summary: Summary
) -> list[tuple[int, tuple[str, ...], Any]]:
    """``(row number, key values, value)`` of every row with all its keys; a row missing one is
    rejected into ``summary`` as ``missing_key``. Rows count from 1."""
    keyed = []
    for index, row in enumerate(rows, start=1):
        values = tuple(key(row, c) for c in keys)
        if not all(values):
            summary.add(REJECTED, index, "missing_key")
        else:
            keyed.append((index, values, row.get("value")))
    return keyed


def int_key(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 12 else None


def visible_units(user, codes: set[str]) -> dict[str, OrgUnit]:
    """The units the user sees, by code: any other code is out of scope, whether it exists or
    not (the answer never tells which)."""
    found = OrgUnit.objects.restrict(user, VIEW).filter(code__in=sorted(codes))
    return {u.code: u for u in found.only("pk", "code", "path")}


def subtree_filter(user, unit_code: str, prefix: str = "unit__") -> dict[str, Any] | None:
    """The lookup for "units under ``unit_code``", or None when the user does not see it."""
    unit = OrgUnit.objects.restrict(user, VIEW).filter(code=unit_code).first()
    if unit is None:
        return None
    return {f"{prefix}path__gte": unit.path, f"{prefix}path__lt": subtree_upper_bound(unit.path)}


def number_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
