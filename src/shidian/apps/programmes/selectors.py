"""Reads of the programmes app: the cockpit, the participants page, the office home cards.

Every read goes through ``access.visible_programmes`` or ``restrict(user)``, so a zone sees its
own schools' rows only and an outsider nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shidian.apps.core.access import MANAGE, get_scoped_or_404
from shidian.apps.core.selectors import maybe_url
from shidian.apps.programmes import access
from shidian.apps.programmes.models import (
    Cycle,
    Participation,
    ParticipationEvent,
    ParticipationState,
    Phase,
    Programme,
)
from shidian.apps.programmes.states import WITH_BATCH

LATE_NAMES_PER_ZONE = 8
LATE_ZONES = 12  # zones listed by name (most late first); the rest are counted
HOME_CARDS = 6


def programmes_for(*, user: Any) -> QuerySet[Programme]:
    return access.visible_programmes(user).select_related("unit").order_by("-start_year", "name")


def programme_for(*, user: Any, programme_id: int) -> Programme:
    """The programme, or 404 when missing or not visible to ``user``."""
    qs = programmes_for(user=user).prefetch_related("standard_versions__standard")
    return get_scoped_or_404(qs, user, pk=programme_id)


def phases_for(*, user: Any, programme_id: int | None = None) -> QuerySet[Phase]:
    """Phases of the programmes ``user`` may manage a campaign in (the campaign form's choice)."""
    qs = Phase.objects.restrict(user, MANAGE).select_related("programme")
    if programme_id is not None:
        today = timezone.localdate()
        qs = qs.filter(programme_id=programme_id)
        current = qs.filter(starts_on__lte=today, ends_on__gte=today)
        return current if current.exists() else qs.order_by("order")
    return qs.order_by("-programme__start_year", "programme__name", "order")


@dataclass
class Timeline:
    phases: list[dict[str, Any]]
    years: list[dict[str, Any]]
    today: date
    today_pct: float | None
    current: Phase | None


def _pct(day: date, first: date, span: int) -> float:
    return round(max(0.0, min(100.0, (day - first).days / span * 100)), 2)


def timeline(programme: Programme, *, today: date | None = None) -> Timeline:
    today = today or timezone.localdate()
    first = date(programme.start_year, 1, 1)
    last = date(programme.end_year, 12, 31)
    span = (last - first).days + 1
    phases, current = [], None
    for phase in Phase.objects.filter(programme=programme).order_by("order", "starts_on"):
        left = _pct(phase.starts_on, first, span)
        width = max(_pct(phase.ends_on + timedelta(days=1), first, span) - left, 0.5)
        is_current = phase.starts_on <= today <= phase.ends_on
        current = phase if is_current else current
        phases.append(
            {
                "phase": phase,
                "left": left,
                "width": round(width, 2),
                "current": is_current,
                "past": phase.ends_on < today,
            }
        )
    years = [
        {"year": y, "left": _pct(date(y, 1, 1), first, span)}
        for y in range(programme.start_year, programme.end_year + 1)
    ]
    today_pct = _pct(today, first, span) if first <= today <= last else None
    return Timeline(phases, years, today, today_pct, current)


def participations(*, user: Any, programme: Programme) -> QuerySet[Participation]:
    return Participation.objects.restrict(user).filter(programme=programme)


def status_counts(*, user: Any, programme: Programme) -> list[dict[str, Any]]:
    counts = dict(
        participations(user=user, programme=programme)
        .values("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return [
        {"state": value, "label": label, "n": counts.get(value, 0)}
        for value, label in ParticipationState.choices
    ]


def batch_progress(*, user: Any, programme: Programme) -> list[dict[str, Any]]:
    counts = dict(
        participations(user=user, programme=programme)
        .filter(state__in=[s.value for s in WITH_BATCH])
        .values("batch_id")
        .annotate(n=Count("pk"))
        .values_list("batch_id", "n")
    )
    rows = []
    for cycle in Cycle.objects.filter(programme=programme).order_by("number"):
        n = counts.get(cycle.pk, 0)
        pct = min(100, round(n / cycle.target * 100)) if cycle.target else 0
        rows.append({"cycle": cycle, "pilots": n, "target": cycle.target, "pct": pct})
    return rows


def programme_campaigns(*, user: Any, programme: Programme) -> QuerySet:
    from shidian.apps.campaigns.models import Campaign

    return (
        Campaign.objects.restrict(user)
        .filter(programme=programme)
        .select_related("phase")
        .order_by("deadline")
    )


def week_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Monday 00:00 to next Monday 00:00 in the local time zone."""
    local = timezone.localtime(now)
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday, monday + timedelta(days=7)


def due_this_week(*, user: Any, programme: Programme, now: datetime | None = None) -> list:
    start, end = week_bounds(now or timezone.now())
    return list(
        programme_campaigns(user=user, programme=programme).filter(
            deadline__gte=start, deadline__lt=end
        )
    )


@dataclass
class LateZone:
    zone: str
    n: int
    units: list[str] = field(default_factory=list)


def late_sheets(*, user: Any, programme: Programme, now: datetime | None = None) -> QuerySet:
    """Sheets of the programme's closed campaigns that were not submitted."""
    from shidian.apps.campaigns.models import SUBMITTED, Sheet

    return (
        Sheet.objects.restrict(user)
        .filter(round__programme=programme, round__deadline__lt=now or timezone.now())
        .exclude(status__in=list(SUBMITTED))
    )


def late_by_zone(*, user: Any, programme: Programme, now: datetime | None = None) -> list[LateZone]:
    """Invited units that have not submitted a sheet of one of the programme's campaigns whose
    deadline has passed, grouped by zone: the LATE_ZONES zones with most late units, each
    with its first names (one query per listed zone, so the page stays bounded)."""
    late = late_sheets(user=user, programme=programme, now=now)
    zones = list(
        late.values("unit__zone_id", "unit__zone__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit__zone__name")[:LATE_ZONES]
    )
    result = {z["unit__zone_id"]: LateZone(z["unit__zone__name"] or "", z["n"]) for z in zones}
    for zone_id in result:
        names = (
            late.filter(unit__zone_id=zone_id)
            .order_by("unit__path")
            .values_list("unit__name", flat=True)[:LATE_NAMES_PER_ZONE]
        )
        result[zone_id].units = list(names)
    return list(result.values())


def programme_documents(*, user: Any, programme: Programme) -> QuerySet:
    from shidian.apps.documents.models import Document

    return (
        Document.objects.restrict(user)
        .filter(programme=programme)
        .select_related("cycle", "subject_unit")
        .order_by("-created_at", "-pk")
    )


def lifecycle_links(programme: Programme, *, manage: bool) -> list[dict[str, Any]]:
    """The lifecycle steps that exist today; a step without a page is not shown."""
    steps = [
        ("participants", "programmes:participants", {"programme_id": programme.pk}, False),
        ("selection", "selection:list", {"programme_id": programme.pk}, False),
        ("campaign", "campaigns:create", None, True),
        ("document", "documents:generate", None, True),
        ("edit", "programmes:edit", {"programme_id": programme.pk}, True),
    ]
    links = []
    for key, name, kwargs, needs_manage in steps:
        if needs_manage and not manage:
            continue
        url = maybe_url(name, **(kwargs or {}))
        if url is None:
            continue
        if key in {"campaign", "document"}:
            url += f"?programme={programme.pk}"
        links.append({"key": key, "url": url})
    return links


def participant_rows(
    *,
    user: Any,
    programme: Programme,
    state: str = "",
    batch: str = "",
    zone: str = "",
    q: str = "",
) -> QuerySet[Participation]:
    qs = participations(user=user, programme=programme).select_related(
        "unit", "unit__zone", "batch"
    )
    if state in ParticipationState.values:
        qs = qs.filter(state=state)
    if batch.isdigit():
        qs = qs.filter(batch__number=int(batch))
    if zone.isdigit():
        qs = qs.filter(unit__zone_id=int(zone))
    if q:
        qs = qs.filter(Q(unit__name__icontains=q) | Q(unit__code__icontains=q))
    return qs.order_by("unit__path")


def zones_of(*, user: Any, programme: Programme) -> list[tuple[int, str]]:
    from shidian.apps.orgs.models import Level, OrgUnit

    return list(
        OrgUnit.objects.restrict(user)
        .subtree(programme.scope_root)
        .filter(level=Level.ZONE)
        .order_by("path")
        .values_list("pk", "name")
    )


def history(*, participation: Participation) -> QuerySet[ParticipationEvent]:
    return participation.events.select_related("by").order_by("at", "pk")


def programme_cards(user: Any) -> dict[str, Any] | None:
    """The home page card (core.home_sections): the programmes the user manages, if any."""
    cards = home_cards(user=user)
    return {"cards": cards} if cards else None


def home_cards(*, user: Any) -> list[dict[str, Any]]:
    """One card per programme the office runs: current phase, pilots, eligible, late."""
    cards = []
    for programme in programmes_for(user=user)[:HOME_CARDS]:
        line = timeline(programme)
        counts = {c["state"]: c["n"] for c in status_counts(user=user, programme=programme)}
        cards.append(
            {
                "programme": programme,
                "phase": line.current,
                "counts": counts,
                "total": sum(counts.values()),
                "pilots": sum(counts.get(s.value, 0) for s in WITH_BATCH),
                "target": sum(
                    Cycle.objects.filter(programme=programme).values_list("target", flat=True)
                ),
                "late": late_sheets(user=user, programme=programme).count(),
                "url": maybe_url("programmes:detail", programme_id=programme.pk),
            }
        )
    return cards
