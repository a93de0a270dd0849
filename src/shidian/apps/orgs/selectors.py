"""Reads of the organisation tree."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from shidian.apps.orgs.models import Level, OrgUnit, SchoolType


@dataclass(frozen=True)
class TypeCount:
    school_type: str
    label: str
    count: int


@dataclass(frozen=True)
class UnitSummary:
    unit: OrgUnit
    schools: int
    by_type: list[TypeCount]


def counts_by_school_type(*, unit: OrgUnit) -> list[TypeCount]:
    """Schools under ``unit`` per school type, one grouped query on the path index."""
    rows = (
        OrgUnit.objects.subtree(unit)
        .filter(level=Level.SCHOOL)
        .values("school_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {row["school_type"]: row["n"] for row in rows}
    labels = dict(SchoolType.choices)
    return [
        TypeCount(school_type=key, label=str(labels.get(key, key or "-")), count=counts[key])
        for key in [c for c in SchoolType.values if c in counts]
        + [k for k in counts if k not in SchoolType.values]
    ]


def unit_summary(*, unit: OrgUnit) -> UnitSummary:
    by_type = counts_by_school_type(unit=unit)
    return UnitSummary(unit=unit, schools=sum(t.count for t in by_type), by_type=by_type)
