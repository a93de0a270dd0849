"""Read routes of communities (共同体) and their activities. A community is seen by its owner
unit's office, by the grants on it or its programme, and by the accounts of its current member
schools (not by a zone above a member); its activities follow it. Contacts' phone numbers are
not exposed."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from shidian.apps.activities.models import Activity, Attendance
from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import MAX_OFFSET, PageParams, Text, page
from shidian.apps.api.routers.areas import Paged
from shidian.apps.communities.models import Community, CommunityMember
from shidian.apps.core.access import VIEW

router = Router(tags=["communities"])


class MemberOut(Schema):
    unit: str
    name: str
    is_lead: bool
    joined_on: str


class CommunityOut(Schema):
    id: int
    name: str
    kind: str
    owner_unit: str
    lead_unit: str
    programme: int | None
    is_active: bool
    members: list[MemberOut]
    updated_at: str


class CommunityPage(Paged):
    items: list[CommunityOut]


class CommunityFilters(PageParams):
    programme: int | None = Field(None, ge=1, le=MAX_OFFSET)
    active: bool | None = None


class ActivityOut(Schema):
    id: int
    community: int
    semester: str
    theme: str
    kind: str
    planned_on: str
    host_unit: str
    status: str
    attended: list[str]
    next_theme: str
    next_on: str | None


class ActivityDetail(ActivityOut):
    plan: str
    next_host: str | None
    updated_at: str


class ActivityPage(Paged):
    items: list[ActivityOut]


class ActivityFilters(PageParams):
    community: int | None = Field(None, ge=1, le=MAX_OFFSET)
    status: Text | None = None
    planned_from: dt.date | None = None
    planned_to: dt.date | None = None


def community_out(row: Community) -> dict:
    return {
        "id": row.pk,
        "name": row.name,
        "kind": row.kind,
        "owner_unit": row.owner_unit.code,
        "lead_unit": row.lead_unit.code,
        "programme": row.programme_id,
        "is_active": row.is_active,
        "members": [
            {
                "unit": m.unit.code,
                "name": m.unit.name,
                "is_lead": m.is_lead,
                "joined_on": m.joined_on.isoformat(),
            }
            for m in row.current_members
        ],
        "updated_at": row.updated_at.isoformat(),
    }


def activity_out(row: Activity) -> dict:
    return {
        "id": row.pk,
        "community": row.community_id,
        "semester": row.semester.name,
        "theme": row.theme,
        "kind": row.kind,
        "planned_on": row.planned_on.isoformat(),
        "host_unit": row.host_unit.code,
        "status": row.status,
        "attended": [a.unit.code for a in row.visible_attendances],
        "next_theme": row.next_theme,
        "next_on": row.next_on.isoformat() if row.next_on else None,
    }


def visible_communities(request: HttpRequest, mode: str = scopes.READ):
    user = need(request, "communities", mode)
    members = (
        CommunityMember.objects.restrict(user, VIEW)
        .filter(left_on__isnull=True)
        .select_related("unit")
        .order_by("-is_lead", "unit__code")
    )
    return (
        Community.objects.restrict(user, VIEW)
        .select_related("owner_unit", "lead_unit")
        .prefetch_related(Prefetch("members", queryset=members, to_attr="current_members"))
    )


def visible_activities(request: HttpRequest, mode: str = scopes.READ):
    user = need(request, "communities", mode)
    attendances = (
        Attendance.objects.restrict(user, VIEW).select_related("unit").order_by("unit__code")
    )
    return (
        Activity.objects.restrict(user, VIEW)
        .select_related("semester", "host_unit")
        .prefetch_related(
            Prefetch("attendances", queryset=attendances, to_attr="visible_attendances")
        )
    )


@router.get("/communities", response=CommunityPage, url_name="communities")
def communities(request: HttpRequest, filters: Query[CommunityFilters]):
    rows = visible_communities(request).order_by("owner_unit__path", "number", "pk")
    if filters.programme is not None:
        rows = rows.filter(programme_id=filters.programme)
    if filters.active is not None:
        rows = rows.filter(is_active=filters.active)
    return page(request, rows, filters, community_out)


@router.get("/communities/{community_id}", response=CommunityOut, url_name="community")
def community(request: HttpRequest, response: HttpResponse, community_id: int):
    """One community with its current members, and an ``ETag``."""
    found = get_object_or_404(visible_communities(request), pk=community_id)
    response["ETag"] = etag_of(found)
    return community_out(found)


@router.get("/activities", response=ActivityPage, url_name="activities")
def activities(request: HttpRequest, filters: Query[ActivityFilters]):
    rows = visible_activities(request).order_by("planned_on", "pk")
    if filters.community is not None:
        rows = rows.filter(community_id=filters.community)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.planned_from:
        rows = rows.filter(planned_on__gte=filters.planned_from)
    if filters.planned_to:
        rows = rows.filter(planned_on__lte=filters.planned_to)
    return page(request, rows, filters, activity_out)


@router.get("/activities/{activity_id}", response=ActivityDetail, url_name="activity")
def activity(request: HttpRequest, response: HttpResponse, activity_id: int):
    """One activity with its plan text, and an ``ETag`` for the writes."""
    return activity_answer(request, response, activity_id)


def activity_detail_out(row: Activity) -> dict:
    return {
        **activity_out(row),
        "plan": row.plan,
        "next_host": row.next_host.code if row.next_host_id else None,
        "updated_at": row.updated_at.isoformat(),
    }


def activity_answer(request: HttpRequest, response: HttpResponse, activity_id: int) -> dict:
    found = get_object_or_404(
        visible_activities(request).select_related("next_host"), pk=activity_id
    )
    response["ETag"] = etag_of(found)
    return activity_detail_out(found)
