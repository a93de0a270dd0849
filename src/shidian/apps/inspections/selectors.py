"""Reads of the inspections pages (every query through the access mechanism)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from shidian.apps.core.access import MANAGE, VIEW
from shidian.apps.inspections import states
from shidian.apps.inspections.models import Finding, InspectionVisit, RectificationItem


def visits_for(user: Any, *, programme: Any = None) -> QuerySet:
    visits = InspectionVisit.objects.restrict(user, VIEW).select_related("programme")
    if programme is not None:
        visits = visits.filter(programme=programme)
    return visits


def items_for(
    user: Any,
    *,
    status: str = "",
    severity: str = "",
    overdue: bool = False,
    today: datetime.date,
    programme: Any = None,
) -> QuerySet:
    items = RectificationItem.objects.restrict(user, VIEW).select_related("unit", "programme")
    if programme is not None:
        items = items.filter(programme=programme)
    if status:
        items = items.filter(status=status)
    if severity:
        items = items.filter(severity=severity)
    if overdue:
        items = items.filter(status__in=states.AWAITING_UNIT, due_on__lt=today)
    return items.order_by("due_on", "unit__code", "pk")


def findings_of(visit: InspectionVisit, user: Any) -> list[Finding]:
    """The visit's findings the user sees, each with its schools and photos prefetched."""
    return list(
        Finding.objects.restrict(user, VIEW)
        .filter(visit=visit)
        .prefetch_related("finding_units__unit", "photos", "items")
        .order_by("pk")
    )


def open_items_by_unit(visit: InspectionVisit, user: Any) -> list[tuple[Any, int]]:
    """The visit's schools that have open items the user manages, with how many."""
    counts: dict[int, int] = {}
    units: dict[int, Any] = {}
    rows = (
        RectificationItem.objects.restrict(user, MANAGE)
        .filter(finding__visit=visit, status__in=states.OPEN_STATES)
        .select_related("unit")
    )
    for item in rows:
        counts[item.unit_id] = counts.get(item.unit_id, 0) + 1
        units[item.unit_id] = item.unit
    return [(units[k], counts[k]) for k in sorted(units, key=lambda k: units[k].code)]


def programme_summary(user: Any, programme: Any) -> dict[str, int]:
    """Counts for the cockpit partial."""
    items = RectificationItem.objects.restrict(user, VIEW).filter(programme=programme)
    return {
        "visits": visits_for(user, programme=programme).count(),
        "open": items.filter(status__in=states.OPEN_STATES).count(),
        "answered": items.filter(status=states.ANSWERED).count(),
    }
