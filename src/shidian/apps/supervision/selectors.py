"""Reads of league tables and 督办.

CONTRACT (foundation; the supervision helper implements it, inspections read it):

    bottom_units(programme, *, month, count, cycle_number=None) -> list[int]

The unit ids at the bottom of ``month``'s ("YYYY-MM") league table of the programme (one batch
when ``cycle_number`` is given), worst first, at most ``count``.

Implementation notes: only *published* tables count (a draft may still change); with no
``cycle_number`` the month's tables of every batch are taken together. Worst first is the
lowest score first (ties: the later rank, then the unit code descending, so the order is
stable); units without a score are not ranked and never returned.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from shidian.apps.supervision.models import (
    LeagueRow,
    LeagueTable,
    SupervisionCase,
    SupervisionEvent,
    TableStatus,
)


def bottom_units(
    programme: Any, *, month: str, count: int, cycle_number: int | None = None
) -> list[int]:
    if count <= 0:
        return []
    tables = LeagueTable.objects.filter(  # scoping: ok a read for a caller who checked
        programme=programme, month=month, status=TableStatus.PUBLISHED
    )
    if cycle_number is not None:
        tables = tables.filter(cycle__number=cycle_number)
    rows = (
        LeagueRow.objects.filter(table__in=tables, score__isnull=False)  # scoping: ok as above
        .order_by("score", "-rank", "-unit__code")
        .values_list("unit_id", flat=True)
    )
    return list(rows[:count])


def tables_of(programme: Any, user: Any) -> list[LeagueTable]:
    """The programme's tables the user sees, by batch then newest month first."""
    return list(
        LeagueTable.objects.restrict(user)
        .filter(programme=programme)
        .select_related("cycle", "bulletin")
        .order_by("cycle__number", "-month")
    )


def cases_of(programme: Any, user: Any) -> list[SupervisionCase]:
    """The programme's 督办 cases the user sees (an office: all; a school: its own), open ones
    (red first) before the settled ones, each with its history."""
    order = {"red": 0, "warning": 1, "notice": 2, "made_up": 3, "none": 4}
    cases = list(
        SupervisionCase.objects.restrict(user)
        .filter(programme=programme)
        .select_related("unit")
        .prefetch_related(_events())
    )
    for case in cases:
        case.history = list(case.events.all())
    cases.sort(key=lambda c: (order.get(c.level, 9), str(c.unit.code)))
    return cases


def own_rows(user: Any) -> list[LeagueRow]:
    """A unit's own rows in published tables (a school's page): its unit's rows only."""
    if user.unit_id is None:
        return []
    return list(
        LeagueRow.objects.restrict(user)
        .filter(unit_id=user.unit_id, table__status=TableStatus.PUBLISHED)
        .select_related("table", "table__programme", "table__cycle")
        .order_by("table__programme_id", "-table__month")
    )


def own_cases(user: Any) -> list[SupervisionCase]:
    if user.unit_id is None:
        return []
    return list(
        SupervisionCase.objects.restrict(user)
        .filter(unit_id=user.unit_id)
        .select_related("programme")
        .prefetch_related(_events())
        .order_by("programme_id")
    )


def _events() -> Prefetch:
    return Prefetch(
        "events", queryset=SupervisionEvent.objects.select_related("by").order_by("month", "pk")
    )


def history_of(case: SupervisionCase) -> list[SupervisionEvent]:
    return list(case.events.select_related("by").order_by("month", "pk"))


def level_by_unit(programme: Any, unit_ids: list[int]) -> dict[int, SupervisionCase]:
    return {
        c.unit_id: c
        for c in SupervisionCase.objects.filter(  # scoping: ok the caller's visible rows
            programme=programme, unit_id__in=unit_ids
        )
    }
