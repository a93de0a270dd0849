"""Read routes of roll-out plans (推广): the plans a person sees on the roll-out pages (the
programme unit's office and leading group, the grants on the programme) with their schools,
each paired with the pilot that leads it (pilot -> school). Schools and zones see nothing of a
plan before it becomes participation, as on their pages."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import MAX_OFFSET, PageParams, Text, page
from shidian.apps.api.routers.areas import Paged
from shidian.apps.core.access import VIEW
from shidian.apps.rollout.models import RolloutPlan, RolloutSchool

router = Router(tags=["rollout"])
AREA = "rollout"


class RolloutOut(Schema):
    id: int
    programme: int
    name: str
    year: int
    status: str
    max_km: float
    max_load: int
    cycle: int | None
    schools: int
    paired: int
    updated_at: str


class PairOut(Schema):
    unit: str
    unit_name: str
    rank: int | None
    score: float | None
    lead: str | None
    lead_name: str | None
    km: float | None
    by_hand: bool


class RolloutDetail(RolloutOut):
    pairs: list[PairOut]


class RolloutPage(Paged):
    items: list[RolloutOut]


class RolloutFilters(PageParams):
    programme: int | None = Field(None, ge=1, le=MAX_OFFSET)
    status: Text | None = None
    year: int | None = Field(None, ge=1, le=9999)


def visible_plans(request: HttpRequest, mode: str = scopes.READ):
    """The plans the caller sees, if the token allows ``mode`` on the area."""
    user = need(request, AREA, mode)
    return RolloutPlan.objects.restrict(user, VIEW).annotate(
        school_count=Count("schools", distinct=True),
        paired_count=Count("schools", filter=Q(schools__lead__isnull=False), distinct=True),
    )


def rollout_out(row: RolloutPlan) -> dict:
    return {
        "id": row.pk,
        "programme": row.programme_id,
        "name": row.name,
        "year": row.year,
        "status": row.status,
        "max_km": row.max_km,
        "max_load": row.max_load,
        "cycle": row.cycle_id,
        "schools": row.school_count,
        "paired": row.paired_count,
        "updated_at": row.updated_at.isoformat(),
    }


def pair_out(row: RolloutSchool) -> dict:
    return {
        "unit": row.unit.code,
        "unit_name": row.unit.name,
        "rank": row.rank,
        "score": row.score,
        "lead": row.lead.code if row.lead_id else None,
        "lead_name": row.lead.name if row.lead_id else None,
        "km": row.km,
        "by_hand": row.by_hand,
    }


@router.get("/rollouts", response=RolloutPage, url_name="rollouts")
def rollouts(request: HttpRequest, filters: Query[RolloutFilters]):
    """Roll-out plans the caller sees, newest first."""
    rows = visible_plans(request).order_by("-created_at", "-pk")
    if filters.programme is not None:
        rows = rows.filter(programme_id=filters.programme)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.year is not None:
        rows = rows.filter(year=filters.year)
    return page(request, rows, filters, rollout_out)


def rollout_answer(request: HttpRequest, response: HttpResponse, rollout_id: int) -> dict:
    """The plan as ``GET /rollouts/{id}`` gives it, with its ``ETag`` set on ``response``:
    the writes answer the same."""
    schools = (
        RolloutSchool.objects.restrict(request.user, VIEW)
        .select_related("unit", "lead")
        .order_by(F("rank").asc(nulls_last=True), "unit__code", "pk")
    )
    found = get_object_or_404(
        visible_plans(request).prefetch_related(Prefetch("schools", queryset=schools)),
        pk=rollout_id,
    )
    response["ETag"] = etag_of(found)
    return {**rollout_out(found), "pairs": [pair_out(s) for s in found.schools.all()]}


@router.get("/rollouts/{rollout_id}", response=RolloutDetail, url_name="rollout")
def rollout(request: HttpRequest, response: HttpResponse, rollout_id: int):
    """One plan with its schools (rank order), each with its lead pilot and the distance, and
    the ``ETag`` its writes need."""
    return rollout_answer(request, response, rollout_id)
