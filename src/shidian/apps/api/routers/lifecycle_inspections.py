"""Read routes of inspections (督查指导): the visits a person sees on the inspections pages (the
programme unit's office and the grants on the programme, and the visit's own inspectors) and
the findings they see (the visit's readers, and the schools a finding covers, with the zones
above them). A school sees no visit, as on its pages, only the findings about itself.
Rectification items are the rectification area's. A visit's ETag is for its writes
(inspection_writes.py)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import MAX_OFFSET, PageParams, Text, page
from shidian.apps.api.routers.areas import Paged
from shidian.apps.core.access import VIEW
from shidian.apps.inspections import selectors
from shidian.apps.inspections.models import Finding, RectificationItem

router = Router(tags=["inspections"])
AREA = "inspections"


class InspectorOut(Schema):
    name: str
    unit: str | None


class VisitUnitOut(Schema):
    unit: str
    name: str
    stratum: str


class VisitOut(Schema):
    id: int
    programme: int
    programme_unit: str
    title: str
    status: str
    scheduled_on: str
    method: str
    units: list[VisitUnitOut]
    inspectors: list[InspectorOut]
    findings: int
    findings_needing_action: int
    updated_at: str


class FindingItemOut(Schema):
    id: int
    unit: str
    status: str


class FindingOut(Schema):
    id: int
    visit: int
    indicator_code: str
    severity: str
    needs_action: bool
    text: str
    units: list[str]
    items: list[FindingItemOut]
    created_at: str


class VisitDetail(VisitOut):
    findings_list: list[FindingOut]


class VisitPage(Paged):
    items: list[VisitOut]


class FindingPage(Paged):
    items: list[FindingOut]


class VisitFilters(PageParams):
    programme: int | None = Field(None, ge=1, le=MAX_OFFSET)
    status: Text | None = None
    scheduled_from: dt.date | None = None
    scheduled_to: dt.date | None = None


class FindingFilters(PageParams):
    visit: int | None = Field(None, ge=1, le=MAX_OFFSET)
    severity: Text | None = None
    needs_action: bool | None = None


def visible_visits(request: HttpRequest, mode: str = scopes.READ):
    """The visits the caller sees, without the counts (a write locks these rows)."""
    user = need(request, AREA, mode)
    return selectors.visits_for(user).select_related("programme__unit")


def _visits(request: HttpRequest):
    user = need(request, AREA)
    seen = Finding.objects.restrict(user, VIEW).values("pk")
    return (
        selectors.visits_for(user)
        .select_related("programme__unit")
        .prefetch_related("visit_units__unit", "inspectors__unit")
        .annotate(
            seen_findings=Count("findings", filter=Q(findings__in=seen), distinct=True),
            seen_needing=Count(
                "findings",
                filter=Q(findings__in=seen, findings__needs_action=True),
                distinct=True,
            ),
        )
    )


def visible_findings(request: HttpRequest, mode: str = scopes.READ):
    """The findings the caller sees, plain (a write looks its finding up here)."""
    user = need(request, AREA, mode)
    return Finding.objects.restrict(user, VIEW).select_related("visit__programme__unit")


def _findings(request: HttpRequest):
    user = need(request, AREA)
    items = RectificationItem.objects.restrict(user, VIEW).select_related("unit").order_by("pk")
    return (
        Finding.objects.restrict(user, VIEW)
        .select_related("visit")
        .prefetch_related(
            "finding_units__unit", Prefetch("items", queryset=items, to_attr="seen_items")
        )
    )


def visit_out(row) -> dict:
    return {
        "id": row.pk,
        "programme": row.programme_id,
        "programme_unit": row.programme.unit.code,
        "title": row.title,
        "status": row.status,
        "scheduled_on": row.scheduled_on.isoformat(),
        "method": row.method,
        "units": [
            {"unit": vu.unit.code, "name": vu.unit.name, "stratum": vu.stratum}
            for vu in sorted(row.visit_units.all(), key=lambda vu: vu.unit.code)
        ],
        "inspectors": [
            {"name": u.display_name, "unit": u.unit.code if u.unit_id else None}
            for u in sorted(row.inspectors.all(), key=lambda u: u.pk)
        ],
        "findings": row.seen_findings,
        "findings_needing_action": row.seen_needing,
        "updated_at": row.updated_at.isoformat(),
    }


def finding_out(row: Finding) -> dict:
    return {
        "id": row.pk,
        "visit": row.visit_id,
        "indicator_code": row.indicator_code,
        "severity": row.severity,
        "needs_action": row.needs_action,
        "text": row.text,
        "units": sorted(fu.unit.code for fu in row.finding_units.all()),
        "items": [{"id": i.pk, "unit": i.unit.code, "status": i.status} for i in row.seen_items],
        "created_at": row.created_at.isoformat(),
    }


@router.get("/inspection-visits", response=VisitPage, url_name="inspection_visits")
def inspection_visits(request: HttpRequest, filters: Query[VisitFilters]):
    """Visits the caller sees, latest first (empty for a school: it sees its findings)."""
    rows = _visits(request).order_by("-scheduled_on", "-pk")
    if filters.programme is not None:
        rows = rows.filter(programme_id=filters.programme)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.scheduled_from:
        rows = rows.filter(scheduled_on__gte=filters.scheduled_from)
    if filters.scheduled_to:
        rows = rows.filter(scheduled_on__lte=filters.scheduled_to)
    return page(request, rows, filters, visit_out)


def visit_answer(request: HttpRequest, response: HttpResponse, visit_id: int) -> dict:
    """The visit as ``GET /inspection-visits/{id}`` gives it, its ETag in ``response``."""
    found = get_object_or_404(_visits(request), pk=visit_id)
    response["ETag"] = etag_of(found)
    findings = _findings(request).filter(visit=found).order_by("pk")
    return {**visit_out(found), "findings_list": [finding_out(f) for f in findings]}


def finding_answer(request: HttpRequest, finding_id: int) -> dict:
    """The finding as ``GET /inspection-findings/{id}`` gives it."""
    return finding_out(get_object_or_404(_findings(request), pk=finding_id))


@router.get("/inspection-visits/{visit_id}", response=VisitDetail, url_name="inspection_visit")
def inspection_visit(request: HttpRequest, response: HttpResponse, visit_id: int):
    """One visit with the findings the caller sees (those of the visit's page), and an
    ``ETag`` for its state moves."""
    return visit_answer(request, response, visit_id)


@router.get("/inspection-findings", response=FindingPage, url_name="inspection_findings")
def inspection_findings(request: HttpRequest, filters: Query[FindingFilters]):
    """Findings the caller sees: a school, those that cover it."""
    rows = _findings(request).order_by("-visit__scheduled_on", "pk")
    if filters.visit is not None:
        rows = rows.filter(visit_id=filters.visit)
    if filters.severity:
        rows = rows.filter(severity=filters.severity)
    if filters.needs_action is not None:
        rows = rows.filter(needs_action=filters.needs_action)
    return page(request, rows, filters, finding_out)


@router.get("/inspection-findings/{finding_id}", response=FindingOut, url_name="inspection_finding")
def inspection_finding(request: HttpRequest, finding_id: int):
    """One finding the caller sees, with the rectification items of it the caller sees."""
    return finding_answer(request, finding_id)
