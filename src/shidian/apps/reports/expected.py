"""Who owes a report for a period: the participations whose state on the period's last day is
in the form's audience (pilots; or pilots and controls), optionally only some batches.

The state on a day is replayed from the ``ParticipationEvent`` rows (their ``at``), never read
from today's ``Participation.state``: a school that joined in March does not owe January, and a
pilot that withdrew in June still owed May. A period that is not expected (a vacation week)
is owed by nobody, so it can never be missing.

One query loads every event of the programme (a few per unit: about 30,000 rows for 7,167
units); each period is then a binary search per unit, so a year of weekly periods costs the
same query once.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.utils import timezone

from shidian.apps.reports.models import Audience

PILOT = "pilot"
CONTROL = "control"


def audience_states(form) -> frozenset[str]:
    if form.audience == Audience.PILOTS_AND_CONTROLS:
        return frozenset({PILOT, CONTROL})
    return frozenset({PILOT})


@lru_cache(maxsize=4096)
def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of ``day`` in the site's time zone (a period's state, a deadline);
    cached: the completeness figures ask it once per unit and period."""
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(start) - dt.timedelta(microseconds=1)


@dataclass
class History:
    """Every unit's positions over time: ``times[u]`` ascending, ``positions[u]`` alike."""

    times: dict[int, list[dt.datetime]]
    positions: dict[int, list[tuple[str, int | None]]]

    def at(self, unit_id: int, moment: dt.datetime) -> tuple[str, int | None] | None:
        times = self.times.get(unit_id)
        if not times:
            return None
        i = bisect_right(times, moment)
        return self.positions[unit_id][i - 1] if i else None

    def units(self) -> Iterable[int]:
        return self.times.keys()


def history(programme_id: int, unit_ids: Iterable[int] | None = None) -> History:
    """The programme's participation history. A participation without events (made directly,
    e.g. by an import) holds its current state since it was created."""
    from shidian.apps.programmes.models import Participation, ParticipationEvent

    events = ParticipationEvent.objects.filter(  # scoping: ok callers scope the output
        participation__programme_id=programme_id
    )
    parts = Participation.objects.filter(programme_id=programme_id)  # scoping: ok as above
    if unit_ids is not None:
        unit_ids = list(unit_ids)
        events = events.filter(participation__unit_id__in=unit_ids)
        parts = parts.filter(unit_id__in=unit_ids)
    times: dict[int, list[dt.datetime]] = {}
    positions: dict[int, list[tuple[str, int | None]]] = {}
    rows = events.order_by("at", "pk").values_list(
        "participation__unit_id", "to_state", "to_batch", "at"
    )
    for unit_id, state, batch, at in rows.iterator(chunk_size=5000):
        times.setdefault(unit_id, []).append(at)
        positions.setdefault(unit_id, []).append((state, batch))
    for unit_id, state, batch, created in parts.values_list(
        "unit_id", "state", "batch__number", "created_at"
    ).iterator(chunk_size=5000):
        if unit_id not in times:
            times[unit_id] = [created]
            positions[unit_id] = [(state, batch)]
    return History(times=times, positions=positions)


def expected_units(form, period, *, hist: History | None = None) -> set[int]:
    """The unit ids that owe ``period`` of ``form``."""
    if not period.expected:
        return set()
    hist = hist or history(form.programme_id)
    states = audience_states(form)
    batches = {int(b) for b in (form.batch_numbers or [])}
    moment = end_of_day(period.ends_on)
    owed = set()
    for unit_id in hist.units():
        position = hist.at(unit_id, moment)
        if position is None or position[0] not in states:
            continue
        # The batch filter narrows the pilots; controls have no batch and stay in.
        if batches and position[0] == PILOT and position[1] not in batches:
            continue
        owed.add(unit_id)
    return owed


def expected_by_period(form, periods, *, unit_ids=None) -> dict[int, set[int]]:
    """``{period id: unit ids}`` for many periods of one form, loading the history once."""
    hist = history(form.programme_id, unit_ids)
    return {p.pk: expected_units(form, p, hist=hist) for p in periods}


def joined_on(form, unit_ids=None) -> dict[int, dt.date]:
    """The first day each unit entered the form's audience (for the consistency matrix)."""
    hist = history(form.programme_id, unit_ids)
    states = audience_states(form)
    found = {}
    for unit_id in hist.units():
        for at, (state, _batch) in zip(hist.times[unit_id], hist.positions[unit_id], strict=True):
            if state in states:
                found[unit_id] = timezone.localtime(at).date()
                break
    return found


def _positions_at(programme_id: int, moment: dt.datetime, *, with_batch: bool = True):
    """Participations of the programme annotated with their state and batch at ``moment``, in
    SQL (correlated subqueries on the events' participation index): the latest event by then,
    else the starting position of the first later event, else (no events at all) the current
    state if the row existed by then."""
    from django.db.models import Case, F, OuterRef, Subquery, When
    from django.db.models.functions import Coalesce

    from shidian.apps.programmes.models import Participation, ParticipationEvent

    events = ParticipationEvent.objects.filter(  # scoping: ok callers scope the output
        participation=OuterRef("pk")
    )
    before = events.filter(at__lte=moment).order_by("-at", "-pk")
    after = events.filter(at__gt=moment).order_by("at", "pk")
    created = When(created_at__lte=moment, then=F("state"))
    return Participation.objects.filter(
        programme_id=programme_id
    ).annotate(  # scoping: ok
        state_then=Coalesce(
            Subquery(before.values("to_state")[:1]),
            Subquery(after.values("from_state")[:1]),
            Case(created, default=None),
        ),
        batch_then=Coalesce(
            Subquery(before.values("to_batch")[:1]),
            Subquery(after.values("from_batch")[:1]),
            Case(When(created_at__lte=moment, then=F("batch__number")), default=None),
        ),
    )


def owed_rows(form, period) -> list[tuple]:
    """``(unit id, code, name, zone id, zone name, school type)`` of every unit owing
    ``period``: one query, the positions computed by the database."""
    if not period.expected:
        return []
    states = audience_states(form)
    batches = {int(b) for b in (form.batch_numbers or [])}
    rows = (
        _positions_at(form.programme_id, end_of_day(period.ends_on), with_batch=bool(batches))
        .filter(state_then__in=list(states))
        .values_list(
            "unit_id",
            "unit__code",
            "unit__name",
            "unit__zone_id",
            "unit__zone__name",
            "unit__school_type",
            "state_then",
            "batch_then",
        )
    )
    return [
        row[:6]
        for row in rows.iterator(chunk_size=5000)
        if not (batches and row[6] == PILOT and row[7] not in batches)
    ]
