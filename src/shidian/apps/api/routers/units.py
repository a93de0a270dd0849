"""Organisation units, keyed by their code (the natural key bulk exchange uses too)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import PageParams, Text, page
from shidian.apps.core.access import VIEW
from shidian.apps.orgs.models import OrgUnit

router = Router(tags=["units"])


class UnitOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None
    school_type: str
    locality: str
    zone: str | None
    students: int | None
    teachers: int | None
    latitude: float | None
    longitude: float | None
    is_active: bool


class UnitPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[UnitOut]


class UnitFilters(PageParams):
    level: Text | None = None
    parent: Text | None = None
    school_type: Text | None = None
    q: Text | None = None


def unit_out(unit: OrgUnit) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "parent": unit.parent.code if unit.parent_id else None,
        "school_type": unit.school_type,
        "locality": unit.locality,
        "zone": unit.zone.code if unit.zone_id else None,
        "students": unit.students,
        "teachers": unit.teachers,
        "latitude": unit.latitude,
        "longitude": unit.longitude,
        "is_active": unit.is_active,
    }


def visible_units(request: HttpRequest, mode: str = scopes.READ):
    user = need(request, "units", mode)
    return OrgUnit.objects.restrict(user, VIEW).select_related("parent", "zone")


@router.get("/units", response=UnitPage, url_name="units")
def units(request: HttpRequest, filters: Query[UnitFilters]):
    rows = visible_units(request).order_by("path")
    if filters.level:
        rows = rows.filter(level=filters.level)
    if filters.parent:
        rows = rows.filter(parent__code=filters.parent)
    if filters.school_type:
        rows = rows.filter(school_type=filters.school_type)
    if filters.q:
        rows = rows.filter(name__icontains=filters.q.strip())
    return page(request, rows, filters, unit_out)


@router.get("/units/{unit_code}", response=UnitOut, url_name="unit")
def unit(request: HttpRequest, response: HttpResponse, unit_code: Text):
    """One unit, with its ``ETag`` (the ``If-Match`` of ``PATCH /units/{code}``)."""
    row = get_object_or_404(visible_units(request), code=unit_code)
    response["ETag"] = etag_of(row)
    return unit_out(row)
