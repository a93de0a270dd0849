"""Aggregates of submitted report values (the indicators app and the pivot pages read these).

CONTRACT (foundation; the reports-analytics helper implements it and benchmarks it on 11 million
values; the indicators helper builds on it):

    field_pivot(field, *, periods, rows, columns=None, measure="sum", within=None) -> Pivot

``field`` a ReportField; ``periods`` ReportPeriods of its form; ``rows``/``columns`` one of
"period", "county", "zone", "school_type", "locality" (county/zone: the unit's ancestor at that
level, through the materialised path); ``measure`` "sum", "mean", "count" (units that reported
a value), "yes" (values equal to 1) or "share_yes" (yes / values, not-applicable excluded);
``within`` an OrgUnit whose subtree bounds the units. One grouped query; no per-unit Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MEASURES = ("sum", "mean", "count", "yes", "share_yes")
DIMENSIONS = ("period", "county", "zone", "school_type", "locality")


@dataclass(frozen=True)
class Cell:
    value: float | None
    count: int  # values behind the cell (not-applicable excluded)
    numerator: float | None = None  # share_yes: the yes count
    denominator: float | None = None  # share_yes: the values


@dataclass
class Pivot:
    rows: list[str]  # row keys in display order (unit ids as str for county/zone)
    columns: list[str]  # column keys ([""] when columns is None)
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    row_labels: dict[str, str] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    totals: dict[str, Cell] = field(default_factory=dict)  # per row, over all columns


def field_pivot(
    report_field: Any,
    *,
    periods: Any,
    rows: str,
    columns: str | None = None,
    measure: str = "sum",
    within: Any = None,
) -> Pivot:
    raise NotImplementedError("reports.aggregates.field_pivot")
