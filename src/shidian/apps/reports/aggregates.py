"""Aggregates of submitted report values (the indicators app and the pivot pages read these).

CONTRACT (foundation; the reports-analytics helper implements it and benchmarks it on 11 million
values; the indicators helper builds on it):

    field_pivot(field, *, periods, rows, columns=None, measure="sum", within=None) -> Pivot

``field`` a ReportField; ``periods`` ReportPeriods of its form; ``rows``/``columns`` one of
"period", "county", "zone", "school_type", "locality" (county/zone: the unit's ancestor at that
level, through the materialised path); ``measure`` "sum", "mean", "count" (units that reported
a value), "yes" (values equal to 1) or "share_yes" (yes / values, not-applicable excluded);
``within`` an OrgUnit whose subtree bounds the units. One grouped query; no per-unit Python.

How: one ``GROUP BY`` over ``ReportValue`` joined to its unit, grouping on the period id, the
unit's school type / locality, or a ``Substr`` of the unit's path cut at the depth of the
counties (zones) found in the subtree. Each group returns the four partial aggregates every
measure derives from (values, numbers, sum, yes), so groups are merged exactly in Python: the
"no zone" groups of schools directly under a county, and the per-row totals. Not applicable
rows (``na``) never reach a group; zero is a number like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

MEASURES = ("sum", "mean", "count", "yes", "share_yes")
DIMENSIONS = ("period", "county", "zone", "school_type", "locality")
NONE_KEY = ""  # the group of units with no ancestor at that level / a blank attribute


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


@dataclass
class _Acc:
    """Partial aggregates of one group; every measure derives from these, so groups merge."""

    values: int = 0  # rows not NA (text answers included)
    numbers: int = 0  # rows with a number
    total: float = 0.0
    yes: int = 0

    def add(self, other: _Acc) -> None:
        self.values += other.values
        self.numbers += other.numbers
        self.total += other.total
        self.yes += other.yes

    def cell(self, measure: str) -> Cell:
        if measure == "count":
            return Cell(value=float(self.values), count=self.values)
        if measure == "sum":
            return Cell(value=self.total if self.numbers else None, count=self.numbers)
        if measure == "mean":
            value = self.total / self.numbers if self.numbers else None
            return Cell(value=value, count=self.numbers)
        if measure == "yes":
            return Cell(value=float(self.yes), count=self.numbers)
        share = self.yes / self.numbers if self.numbers else None
        return Cell(
            value=share, count=self.numbers, numerator=float(self.yes), denominator=self.numbers
        )


def _level_depths(level: str, within: Any) -> list[int]:
    from shidian.apps.orgs.models import OrgUnit

    qs = OrgUnit.objects.filter(level=level)
    if within is not None:
        # Ancestors of ``within`` at that level count too (a zone pivot within a zone).
        qs = qs.filter(_subtree_or_ancestor_q(within, prefix=""))
    return sorted(set(qs.values_list("depth", flat=True)))


def _subtree_or_ancestor_q(unit: Any, *, prefix: str) -> Any:
    from django.db.models import Q

    from shidian.apps.orgs import paths

    lead = f"{prefix}path"
    return Q(
        **{f"{lead}__gte": unit.path, f"{lead}__lt": paths.subtree_upper_bound(unit.path)}
    ) | Q(**{f"{lead}__in": paths.ancestor_paths(unit.path)})


class Dimension:
    """How one dimension groups (SQL expressions) and resolves keys, order and labels."""

    def __init__(self, name: str, *, periods: list[Any], within: Any, lead: str = "unit__") -> None:
        from django.db.models.functions import Substr

        self.name = name
        self.lead = lead  # "" when grouping OrgUnit rows themselves (indicators' attributes)
        self.exprs: dict[str, Any] = {}
        self.depths: list[int] = []
        if name == "period":
            self.exprs = {"period_id": None}
        elif name in ("school_type", "locality"):
            self.exprs = {f"{lead}{name}": None}
        else:
            self.depths = _level_depths(name, within)
            for depth in self.depths:
                alias = f"_{name}_{depth}"
                self.exprs[alias] = Substr(f"{lead}path", 1, depth * 5)
        self.periods = periods
        self.prefix_units: dict[str, Any] = {}

    def aliases(self) -> list[str]:
        return list(self.exprs)

    def annotations(self) -> dict[str, Any]:
        return {alias: expr for alias, expr in self.exprs.items() if expr is not None}

    def load_units(self, prefixes: Iterable[str]) -> None:
        from shidian.apps.orgs.models import OrgUnit

        wanted = {p for p in prefixes if p}
        if wanted:
            found = OrgUnit.objects.filter(path__in=wanted, level=self.name)
            self.prefix_units = {u.path: u for u in found}

    def key(self, row: dict[str, Any]) -> str:
        if self.name == "period":
            return str(row["period_id"])
        if self.name in ("school_type", "locality"):
            return row[f"{self.lead}{self.name}"] or NONE_KEY
        # The deepest matching ancestor at that level (several depths only in uneven trees).
        for depth in reversed(self.depths):
            unit = self.prefix_units.get(row[f"_{self.name}_{depth}"])
            if unit is not None:
                return str(unit.pk)
        return NONE_KEY

    def order_and_labels(self, keys: set[str]) -> tuple[list[str], dict[str, str]]:
        from django.utils.translation import gettext as _

        from shidian.apps.orgs.models import Locality, SchoolType

        none_label = {
            "period": "",
            "county": _("未归属县（区）"),
            "zone": _("未归属片区"),
            "school_type": _("未填学校类型"),
            "locality": _("未填城乡"),
        }[self.name]
        labels: dict[str, str] = {}
        if self.name == "period":
            ordered = [p for p in self.periods if str(p.pk) in keys]
            order = [str(p.pk) for p in ordered]
            labels = {str(p.pk): p.label for p in ordered}
        elif self.name in ("school_type", "locality"):
            choices = SchoolType if self.name == "school_type" else Locality
            order = [c.value for c in choices if c.value in keys]
            labels = {c.value: str(c.label) for c in choices if c.value in keys}
            # Values outside the choices (legacy data) still show, by their code.
            for extra in sorted(keys - set(order) - {NONE_KEY}):
                order.append(extra)
                labels[extra] = extra
        else:
            units = sorted(
                (u for u in self.prefix_units.values() if str(u.pk) in keys), key=lambda u: u.path
            )
            order = [str(u.pk) for u in units]
            labels = {str(u.pk): u.name for u in units}
        if NONE_KEY in keys:
            order.append(NONE_KEY)
            labels[NONE_KEY] = str(none_label)
        return order, labels


def field_pivot(
    report_field: Any,
    *,
    periods: Any,
    rows: str,
    columns: str | None = None,
    measure: str = "sum",
    within: Any = None,
) -> Pivot:
    from django.db.models import Case, Count, FloatField, IntegerField, Sum, Value, When

    from shidian.apps.reports.models import ReportValue

    if rows not in DIMENSIONS or (columns is not None and columns not in DIMENSIONS):
        raise ValueError(f"rows/columns must be among {DIMENSIONS}")
    if columns == rows:
        raise ValueError("rows and columns must differ")
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}")
    period_list = sorted(periods, key=lambda p: (p.starts_on, p.pk))
    row_dim = Dimension(rows, periods=period_list, within=within)
    col_dim = Dimension(columns, periods=period_list, within=within) if columns else None

    qs = ReportValue.objects.filter(
        field=report_field, period__in=[p.pk for p in period_list], na=False
    )
    if within is not None:
        qs = qs.within(within)
    dims = [d for d in (row_dim, col_dim) if d is not None]
    group_by: list[str] = []
    for dim in dims:
        qs = qs.annotate(**dim.annotations())
        group_by += dim.aliases()
    data = (
        qs.values(*group_by)
        .order_by()
        .annotate(
            # COUNT(*), not COUNT(id): with (field, period, unit) INCLUDE (number, na) the
            # query reads the index only (PostgreSQL), never the 11-million-row heap.
            _values=Count("*"),
            _numbers=Count("number"),
            _total=Sum("number", output_field=FloatField()),
            _yes=Sum(
                Case(When(number=1, then=Value(1)), default=Value(0), output_field=IntegerField())
            ),
        )
    )
    raw = list(data)
    for dim in dims:
        if dim.depths:
            dim.load_units(row[a] for row in raw for a in dim.aliases())

    cells: dict[tuple[str, str], _Acc] = {}
    totals: dict[str, _Acc] = {}
    for row in raw:
        acc = _Acc(
            values=row["_values"],
            numbers=row["_numbers"],
            total=float(row["_total"] or 0.0),
            yes=int(row["_yes"] or 0),
        )
        rkey = row_dim.key(row)
        ckey = col_dim.key(row) if col_dim else ""
        cells.setdefault((rkey, ckey), _Acc()).add(acc)
        totals.setdefault(rkey, _Acc()).add(acc)

    row_order, row_labels = row_dim.order_and_labels({k for k, _ in cells})
    if col_dim is not None:
        col_order, col_labels = col_dim.order_and_labels({c for _, c in cells})
    else:
        col_order, col_labels = [""], {"": ""}
    return Pivot(
        rows=row_order,
        columns=col_order,
        cells={key: acc.cell(measure) for key, acc in cells.items()},
        row_labels=row_labels,
        column_labels=col_labels,
        totals={key: acc.cell(measure) for key, acc in totals.items()},
    )


def grand_total(pivot: Pivot, measure: str) -> Cell | None:
    """The cell over every row (from the row totals' parts: exact for every measure)."""
    if not pivot.totals:
        return None
    acc = _Acc()
    for cell in pivot.totals.values():
        numbers = cell.count if measure != "count" else 0
        values = cell.count if measure == "count" else 0
        if measure == "sum":
            total = cell.value or 0.0
        elif measure == "mean":
            total = (cell.value or 0.0) * cell.count
        else:
            total = 0.0
        yes = int(cell.value or 0) if measure == "yes" else int(cell.numerator or 0)
        acc.add(_Acc(values=values, numbers=numbers, total=total, yes=yes))
    return acc.cell(measure)
