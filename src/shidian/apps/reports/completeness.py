"""Completeness and timeliness of periodic reports.

CONTRACT (foundation; the reports-analytics helper implements it, the league table reads it):

    timeliness_for(programme, *, start, end, unit_ids=None) -> dict[int, UnitTimeliness]

Over every published form of ``programme`` and every *expected* period whose ``closes_on`` lies
in ``[start, end]``: for each unit expected to report (participation in the form's audience on
the period's ``ends_on``), how many reports were on time (first submitted by ``closes_on``),
late (after), missing (never submitted and ``closes_on`` has passed) or pending (not yet due).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class UnitTimeliness:
    unit_id: int
    expected: int
    on_time: int
    late: int
    missing: int
    pending: int = 0

    @property
    def due(self) -> int:
        return self.expected - self.pending

    @property
    def completeness(self) -> float | None:
        """Share of the reports due that arrived (on time or late)."""
        return (self.on_time + self.late) / self.due if self.due else None

    @property
    def timeliness(self) -> float | None:
        """Share of the reports due that arrived on time."""
        return self.on_time / self.due if self.due else None


def timeliness_for(
    programme: Any, *, start: date, end: date, unit_ids: Iterable[int] | None = None
) -> dict[int, UnitTimeliness]:
    raise NotImplementedError("reports.completeness.timeliness_for")
