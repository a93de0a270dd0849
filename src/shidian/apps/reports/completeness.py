"""Completeness and timeliness of periodic reports.

CONTRACT (foundation; the reports-analytics helper implements it, the league table reads it):

    timeliness_for(programme, *, start, end, unit_ids=None) -> dict[int, UnitTimeliness]

Over every published form of ``programme`` and every *expected* period whose ``closes_on`` lies
in ``[start, end]``: for each unit expected to report (participation in the form's audience on
the period's ``ends_on``), how many reports were on time (first submitted by ``closes_on``),
late (after), missing (never submitted and ``closes_on`` has passed) or pending (not yet due).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Min
from django.utils import timezone

from shidian.apps.reports.expected import end_of_day, expected_units, history

ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
PENDING = "pending"
STATUSES = (ON_TIME, LATE, MISSING, PENDING)


class _Shares:
    """The shares of counted reports (``expected``, ``on_time``, ``late``, ``pending``)."""

    expected: int
    on_time: int
    late: int
    pending: int

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


@dataclass(frozen=True)
class UnitTimeliness(_Shares):
    unit_id: int
    expected: int
    on_time: int
    late: int
    missing: int
    pending: int = 0


@dataclass
class Tally(_Shares):
    """``timeliness_for``'s counts added up over a group of units (a level, a zone, all)."""

    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0

    def add(self, t: UnitTimeliness) -> None:
        self.expected += t.expected
        self.on_time += t.on_time
        self.late += t.late
        self.missing += t.missing
        self.pending += t.pending


def timeliness_for(
    programme: Any, *, start: date, end: date, unit_ids: Iterable[int] | None = None
) -> dict[int, UnitTimeliness]:
    from shidian.apps.reports.models import FormStatus, ReportPeriod

    today = timezone.localdate()
    wanted = None if unit_ids is None else set(unit_ids)
    periods = list(
        ReportPeriod.objects.filter(  # scoping: ok callers scope the programme
            form__programme=programme,
            form__status=FormStatus.PUBLISHED,
            expected=True,
            closes_on__gte=start,
            closes_on__lte=end,
        ).select_related("form")
    )
    if not periods:
        return {}
    hist = history(programme.pk, wanted)
    firsts = first_submits([p.round_id for p in periods if p.round_id], wanted)
    counts: dict[int, list[int]] = {}
    for period in periods:
        for unit_id in expected_units(period.form, period, hist=hist):
            if wanted is not None and unit_id not in wanted:
                continue
            status = status_of(firsts.get((period.round_id, unit_id)), period, today)
            row = counts.setdefault(unit_id, [0, 0, 0, 0, 0])
            row[0] += 1
            row[1 + STATUSES.index(status)] += 1
    return {
        unit_id: UnitTimeliness(unit_id, c[0], on_time=c[1], late=c[2], missing=c[3], pending=c[4])
        for unit_id, c in counts.items()
    }


def first_submits(
    round_ids: Iterable[int], unit_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], dt.datetime]:
    """``{(round id, unit id): first submit time}``. A report submitted once (status
    "submitted") arrived at ``submitted_at``; one returned, resubmitted or accepted arrived at
    its earliest submit revision (a resubmit moves ``submitted_at``), looked up by index for
    those few only."""
    from shidian.apps.submissions.models import Submission
    from shidian.apps.submissions.states import Status

    round_ids = [r for r in round_ids if r]
    if not round_ids:
        return {}
    subs = Submission.objects.filter(  # scoping: ok callers scope the units
        round_id__in=round_ids, submitted_at__isnull=False
    )
    if unit_ids is not None:
        subs = subs.filter(unit_id__in=list(unit_ids))
    found, revisited = {}, {}
    rows = subs.values_list("pk", "round_id", "unit_id", "status", "submitted_at")
    for pk, round_id, unit_id, status, submitted_at in rows.iterator(chunk_size=5000):
        found[round_id, unit_id] = submitted_at
        if status != Status.SUBMITTED:
            revisited[pk] = (round_id, unit_id)
    found.update(_revision_firsts(revisited))
    return found


def _revision_firsts(revisited: dict[int, tuple[int, int]]) -> dict[tuple[int, int], dt.datetime]:
    """The earliest submit revision of each submission in ``revisited`` (by index)."""
    from shidian.apps.submissions.models import Revision, RevisionKind

    found = {}
    ids = list(revisited)
    for i in range(0, len(ids), 2000):
        firsts = (
            Revision.objects.filter(  # scoping: ok as above
                submission_id__in=ids[i : i + 2000], kind=RevisionKind.SUBMIT
            )
            .values("submission_id")
            .annotate(first=Min("created_at"))
            .order_by()
            .values_list("submission_id", "first")
        )
        for pk, first in firsts:
            found[revisited[pk]] = first
    return found


def status_of(first: dt.datetime | None, period: Any, today: date) -> str:
    """On time (first submitted by the end of ``closes_on``), late, missing or pending."""
    if first is not None:
        return ON_TIME if first <= end_of_day(period.closes_on) else LATE
    return MISSING if today > period.closes_on else PENDING


@dataclass
class TableRow:
    unit_id: int
    code: str
    name: str
    zone_id: int | None
    zone: str
    school_type: str
    status: str
    submission_id: int | None = None
    submission_status: str = ""
    first_submitted_at: dt.datetime | None = None


@dataclass
class PeriodTable:
    period: Any
    rows: list[TableRow]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def expected(self) -> int:
        return len(self.rows)

    @property
    def due(self) -> int:
        return self.expected - self.counts.get(PENDING, 0)

    @property
    def completeness(self) -> float | None:
        arrived = self.counts.get(ON_TIME, 0) + self.counts.get(LATE, 0)
        return arrived / self.due if self.due else None

    @property
    def timeliness(self) -> float | None:
        return self.counts.get(ON_TIME, 0) / self.due if self.due else None


def period_table(
    period: Any, *, unit_ids: Iterable[int] | None = None, today: date | None = None
) -> PeriodTable:
    """Every unit that owes ``period`` (within ``unit_ids``): on time, late, missing or
    pending, with its submission. Three queries whatever the number of units (the third only
    for reports returned or accepted)."""
    from shidian.apps.reports.expected import owed_rows
    from shidian.apps.submissions.models import Submission

    today = today or timezone.localdate()
    wanted = None if unit_ids is None else set(unit_ids)
    owed = owed_rows(period.form, period)
    firsts, subs, revisited = {}, {}, {}
    if period.round_id:
        rows = Submission.objects.filter(  # scoping: ok narrowed to owed below
            round_id=period.round_id
        ).values_list("pk", "unit_id", "status", "submitted_at")
        for pk, unit_id, status, submitted_at in rows.iterator(chunk_size=5000):
            subs[unit_id] = (pk, status)
            if submitted_at is not None:
                firsts[period.round_id, unit_id] = submitted_at
                if status != "submitted":
                    revisited[pk] = (period.round_id, unit_id)
        firsts.update(_revision_firsts(revisited))
    rows, counts = [], dict.fromkeys(STATUSES, 0)
    for pk, code, name, zone_id, zone_name, school_type in owed:
        if wanted is not None and pk not in wanted:
            continue
        first = firsts.get((period.round_id, pk))
        status = status_of(first, period, today)
        counts[status] += 1
        sub = subs.get(pk, (None, ""))
        rows.append(
            TableRow(
                pk,
                code,
                name,
                zone_id,
                zone_name or "",
                school_type or "",
                status,
                sub[0],
                sub[1],
                first,
            )
        )
    rows.sort(key=lambda r: (r.zone, r.code))
    return PeriodTable(period=period, rows=rows, counts=counts)


@dataclass
class ConsistencyRow:
    unit: Any
    cells: list[str]  # per period: a status, or "" when the unit did not owe it
    joined_on: date | None = None

    @property
    def due(self) -> int:
        return sum(1 for c in self.cells if c in (ON_TIME, LATE, MISSING))

    @property
    def reported(self) -> int:
        return sum(1 for c in self.cells if c in (ON_TIME, LATE))

    @property
    def consistent(self) -> bool:
        """Reported every period it owed (late counts: it arrived)."""
        return MISSING not in self.cells

    @property
    def on_time_every_period(self) -> bool:
        return all(c in ("", ON_TIME, PENDING) for c in self.cells)


@dataclass
class Consistency:
    periods: list[Any]
    rows: list[ConsistencyRow]

    def chart(self) -> dict[str, Any]:
        """Completeness and timeliness per period (shares of the reports due, in %)."""
        labels, complete, timely = [], [], []
        for i, period in enumerate(self.periods):
            cells = [r.cells[i] for r in self.rows]
            due = sum(1 for c in cells if c in (ON_TIME, LATE, MISSING))
            on_time = cells.count(ON_TIME)
            late = cells.count(LATE)
            labels.append(period.label)
            complete.append(round(100 * (on_time + late) / due, 1) if due else None)
            timely.append(round(100 * on_time / due, 1) if due else None)
        return {"labels": labels, "completeness": complete, "timeliness": timely}


def unit_consistency(form: Any, units: Iterable[Any], *, today: date | None = None) -> Consistency:
    """The period x unit matrix of ``form`` over its periods started by ``today``: each cell
    on time, late, missing, pending, or empty where the unit owed nothing (before it joined,
    a vacation week)."""
    from shidian.apps.reports.expected import joined_on
    from shidian.apps.reports.models import ReportPeriod

    today = today or timezone.localdate()
    units = list(units)
    ids = [u.pk for u in units]
    periods = list(
        ReportPeriod.objects.filter(form=form, starts_on__lte=today).order_by(  # scoping: ok
            "starts_on"
        )
    )
    hist = history(form.programme_id, ids)
    owed = {p.pk: expected_units(form, p, hist=hist) for p in periods}
    firsts = first_submits([p.round_id for p in periods if p.round_id], ids)
    joined = joined_on(form, ids)
    rows = []
    for unit in units:
        cells = [
            status_of(firsts.get((p.round_id, unit.pk)), p, today) if unit.pk in owed[p.pk] else ""
            for p in periods
        ]
        rows.append(ConsistencyRow(unit=unit, cells=cells, joined_on=joined.get(unit.pk)))
    return Consistency(periods=periods, rows=rows)
