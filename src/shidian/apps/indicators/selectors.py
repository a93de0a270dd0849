"""Reads of the indicators app: attribute pivots, the coverage table, report-field pivots as
one table shape, and the scope a person may compute over.

Every figure is one grouped query (``GROUP BY`` school type / locality / a cut of the unit path
at the county or zone depth); Python only merges the few groups and formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from shidian.apps.indicators.attributes import SPECS, Spec
from shidian.apps.orgs.models import Level, OrgUnit
from shidian.apps.reports.aggregates import Dimension

UNIT_DIMENSIONS = ("school_type", "locality", "zone", "county")
REPORT_DIMENSIONS = ("period", *UNIT_DIMENSIONS)


def dimension_labels() -> dict[str, str]:
    return {
        "period": _("报送期"),
        "school_type": _("学校类型"),
        "locality": _("城乡"),
        "zone": _("片区"),
        "county": _("县（区）"),
    }


@dataclass
class Figure:
    """One cell: value (already scaled: a percentage is 67.7, not 0.677) and what it is made of."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    n: int = 0  # schools (attributes) or values (report fields) behind it
    unknown: int = 0  # schools whose attribute is not filled in

    def text(self, percent: bool = False, digits: int = 1) -> str:
        if self.value is None:
            return "—"
        shown = f"{self.value:.{digits}f}"
        return f"{shown}%" if percent else shown


@dataclass
class Table:
    rows: list[tuple[str, str]]  # (key, label)
    columns: list[tuple[str, str]]  # [("", "")] without a column dimension
    cells: dict[tuple[str, str], Figure] = field(default_factory=dict)
    totals: dict[str, Figure] = field(default_factory=dict)  # per row
    grand: Figure | None = None
    percent: bool = False
    codes: dict[str, str] = field(default_factory=dict)  # unit rows: key -> unit code

    def grid(self) -> list[dict[str, Any]]:
        """Rows for templates and exports: label, one figure per column, the row total."""
        empty = Figure(None)
        return [
            {
                "key": key,
                "label": label,
                "code": self.codes.get(key, ""),
                "cells": [self.cells.get((key, c), empty) for c, _label in self.columns],
                "total": self.totals.get(key, empty),
            }
            for key, label in self.rows
        ]

    def chart(self, title: str) -> dict[str, Any]:
        """ECharts-ready series: one per column (or the totals), values rounded for display."""
        labels = [label for _key, label in self.rows]
        if len(self.columns) == 1 and self.columns[0][0] == "":
            series = [{"name": title, "data": [_round(self.totals.get(k)) for k, _l in self.rows]}]
        else:
            series = [
                {"name": clabel, "data": [_round(self.cells.get((k, c))) for k, _l in self.rows]}
                for c, clabel in self.columns
            ]
        return {"labels": labels, "series": series, "percent": self.percent, "title": title}


def _round(fig: Figure | None) -> float | None:
    return None if fig is None or fig.value is None else round(fig.value, 2)


# ---- scope ---------------------------------------------------------------------------------


def scope_unit(user: Any) -> OrgUnit | None:
    """The unit whose subtree this person computes over (a superuser: the first root)."""
    if user.unit_id is not None:
        return user.unit
    if user.is_superuser:
        return OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    return None


def within_choices(user: Any) -> list[OrgUnit]:
    """The person's own unit, then the counties and zones under it (to narrow a figure)."""
    root = scope_unit(user)
    if root is None:
        return []
    below = (
        OrgUnit.objects.restrict(user, "view")
        .subtree(root, include_self=False)
        .filter(level__in=[Level.CITY, Level.COUNTY, Level.ZONE])
        .order_by("path")[:300]
    )
    return [root, *below]


def resolve_within(user: Any, raw: str | None, *, floor: OrgUnit | None = None) -> OrgUnit | None:
    """The unit named by ``raw`` when the person may see it; else their default scope (the
    deeper of their unit and ``floor``, the indicator's unit, when those lie on one branch)."""
    root = scope_unit(user)
    if root is None:
        return None
    if raw and raw.isdigit():
        found = OrgUnit.objects.restrict(user, "view").filter(pk=int(raw)).first()
        if found is not None and found.is_within(root):
            return found
    if floor is not None and floor.is_within(root):
        return floor
    return root


# ---- attribute pivots ------------------------------------------------------------------------


def _attribute_aggregates(spec: Spec) -> dict[str, Any]:
    if spec.share_of_schools:
        return {
            "_num": Count("pk", filter=Q(**{spec.numerator: True})),
            "_den": Count("pk"),
            "_unknown": Count("pk", filter=Q(**{f"{spec.numerator}__isnull": True})),
        }
    both = Q(**{f"{spec.numerator}__isnull": False, f"{spec.denominator}__isnull": False})
    return {
        "_num": Sum(spec.numerator, filter=both),
        "_den": Sum(spec.denominator, filter=both),
        "_n": Count("pk", filter=both),
        "_unknown": Count("pk", filter=~both),
    }


def _figure(spec: Spec, num: float, den: float, n: int, unknown: int) -> Figure:
    value = num / den * spec.scale if den else None
    return Figure(value=value, numerator=num, denominator=den, n=n, unknown=unknown)


def attribute_table(
    attribute: str, *, within: OrgUnit, rows: str, columns: str | None = None
) -> Table:
    """An attribute by ``rows`` (and ``columns``) over the active schools under ``within``,
    with a total per row and a grand total; one grouped query."""
    spec = SPECS[attribute]
    if rows not in UNIT_DIMENSIONS or (columns and columns not in UNIT_DIMENSIONS):
        raise ValueError("unknown dimension")
    if columns == rows:
        columns = None
    row_dim = Dimension(rows, periods=[], within=within, lead="")
    col_dim = Dimension(columns, periods=[], within=within, lead="") if columns else None
    dims = [d for d in (row_dim, col_dim) if d]
    qs = OrgUnit.objects.schools().filter(is_active=True).within(within)
    group: list[str] = []
    for dim in dims:
        qs = qs.annotate(**dim.annotations())
        group += dim.aliases()
    raw = list(qs.values(*group).order_by().annotate(**_attribute_aggregates(spec)))
    for dim in dims:
        if dim.depths:
            dim.load_units(r[a] for r in raw for a in dim.aliases())
    parts: dict[tuple[str, str], list[float]] = {}
    for r in raw:
        n = r.get("_n", r["_den"])
        key = (row_dim.key(r), col_dim.key(r) if col_dim else "")
        acc = parts.setdefault(key, [0.0, 0.0, 0, 0])
        acc[0] += float(r["_num"] or 0)
        acc[1] += float(r["_den"] or 0)
        acc[2] += int(n or 0)
        acc[3] += int(r["_unknown"] or 0)
    row_order, row_labels = row_dim.order_and_labels({k for k, _c in parts})
    if col_dim:
        col_order, col_labels = col_dim.order_and_labels({c for _k, c in parts})
    else:
        col_order, col_labels = [""], {"": ""}
    table = Table(
        rows=[(k, row_labels[k]) for k in row_order],
        columns=[(c, col_labels[c]) for c in col_order],
        percent=spec.unit_label == "%",
    )
    totals: dict[str, list[float]] = {}
    grand = [0.0, 0.0, 0, 0]
    for key, acc in parts.items():
        table.cells[key] = _figure(spec, *acc)
        t = totals.setdefault(key[0], [0.0, 0.0, 0, 0])
        for i in range(4):
            t[i] += acc[i]
            grand[i] += acc[i]
    table.totals = {k: _figure(spec, *t) for k, t in totals.items()}
    table.grand = _figure(spec, *grand)
    if rows in ("county", "zone"):
        table.codes = {str(u.pk): u.code for u in row_dim.prefix_units.values()}
    return table


# ---- report-field pivots ---------------------------------------------------------------------


def _from_pivot(pivot: Any, *, scale: float, measure: str) -> Table:
    from shidian.apps.reports.aggregates import grand_total

    def fig(cell: Any) -> Figure:
        value = None if cell.value is None else cell.value * scale
        return Figure(value, cell.numerator, cell.denominator, n=cell.count)

    grand = grand_total(pivot, measure)
    return Table(
        rows=[(k, pivot.row_labels[k]) for k in pivot.rows],
        columns=[(c, pivot.column_labels.get(c, "")) for c in pivot.columns],
        cells={k: fig(c) for k, c in pivot.cells.items()},
        totals={k: fig(c) for k, c in pivot.totals.items()},
        grand=fig(grand) if grand else None,
        percent=measure == "share_yes",
    )


def _unit_codes(rows: str, keys: list[str]) -> dict[str, str]:
    if rows not in ("county", "zone"):
        return {}
    ids = [int(k) for k in keys if k.isdigit()]
    return {
        str(pk): code for pk, code in OrgUnit.objects.filter(pk__in=ids).values_list("pk", "code")
    }


def field_table(
    indicator: Any, *, periods: list[Any], within: OrgUnit, rows: str, columns: str | None
) -> Table:
    """A report-field indicator as a Table: field_pivot's cells, or, for a ratio indicator,
    the field's sums over the denominator field's sums cell by cell (two grouped queries)."""
    from shidian.apps.reports.aggregates import field_pivot

    if columns == rows:
        columns = None
    if not indicator.is_ratio:
        measure = indicator.measure or "sum"
        pivot = field_pivot(
            indicator.report_field,
            periods=periods,
            rows=rows,
            columns=columns,
            measure=measure,
            within=within,
        )
        table = _from_pivot(pivot, scale=100 if measure == "share_yes" else 1, measure=measure)
        table.codes = _unit_codes(rows, pivot.rows)
        return table
    top = field_pivot(
        indicator.report_field, periods=periods, rows=rows, columns=columns, within=within
    )
    bottom = field_pivot(
        indicator.denominator_field, periods=periods, rows=rows, columns=columns, within=within
    )

    def ratio(a: Any, b: Any) -> Figure:
        num = a.value if a is not None else None
        den = b.value if b is not None else None
        value = num / den if num is not None and den else None
        return Figure(value, num, den, n=a.count if a is not None else 0)

    keys = list(dict.fromkeys([*top.rows, *bottom.rows]))
    cols = list(dict.fromkeys([*top.columns, *bottom.columns]))
    labels = {**bottom.row_labels, **top.row_labels}
    clabels = {**bottom.column_labels, **top.column_labels}
    table = Table(
        rows=[(k, labels[k]) for k in keys], columns=[(c, clabels.get(c, "")) for c in cols]
    )
    for k in keys:
        for c in cols:
            if (k, c) in top.cells or (k, c) in bottom.cells:
                table.cells[(k, c)] = ratio(top.cells.get((k, c)), bottom.cells.get((k, c)))
        table.totals[k] = ratio(top.totals.get(k), bottom.totals.get(k))
    num = sum(c.value or 0 for c in top.totals.values())
    den = sum(c.value or 0 for c in bottom.totals.values())
    table.grand = Figure(num / den if den else None, num, den)
    table.codes = _unit_codes(rows, keys)
    return table


def indicator_periods(indicator: Any, first: str | None, last: str | None) -> list[Any]:
    """The form's periods from key ``first`` to key ``last`` (both optional), by date."""
    if indicator.report_field_id is None:
        return []
    periods = list(indicator.report_field.form.periods.order_by("starts_on", "pk"))
    keys = [p.key for p in periods]
    lo = keys.index(first) if first in keys else 0
    hi = keys.index(last) if last in keys else len(periods) - 1
    return periods[lo : hi + 1] if lo <= hi else []


def indicator_unit_label(indicator: Any) -> str:
    if indicator.unit_label:
        return indicator.unit_label
    if indicator.attribute:
        return str(SPECS[indicator.attribute].unit_label)
    if indicator.measure == "share_yes":
        return "%"
    return indicator.report_field.unit_label if indicator.report_field_id else ""
