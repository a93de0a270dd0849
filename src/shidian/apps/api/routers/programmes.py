"""Programmes, their batches, and participation: read, and moves with If-Match."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.errors import ApiError
from shidian.apps.api.etags import check_if_match, etag_of
from shidian.apps.api.pagination import NO_NUL, PageParams, Text, page
from shidian.apps.api.writes import if_match
from shidian.apps.core.access import VIEW
from shidian.apps.programmes.models import Cycle, Participation, Programme
from shidian.apps.programmes.services.participation import participation_move

router = Router(tags=["programmes"])


class CycleOut(Schema):
    number: int
    year: int
    target: int


class ProgrammeOut(Schema):
    id: int
    name: str
    unit: str
    scope_root: str
    start_year: int
    end_year: int
    cadences: list[str]
    batches: list[CycleOut]


class ProgrammePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ProgrammeOut]


class ParticipationOut(Schema):
    id: int
    programme: int
    unit: str
    unit_name: str
    state: str
    batch: int | None
    updated_at: str


class ParticipationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ParticipationOut]


class ParticipationFilters(PageParams):
    state: Text | None = None
    batch: int | None = Field(None, ge=1, le=1000)


class MoveIn(Schema):
    state: str = Field(..., max_length=16, pattern=NO_NUL)
    batch: int | None = Field(None, ge=1, le=1000)
    reason: str = Field("", max_length=2000, pattern=NO_NUL)


def programme_out(programme: Programme) -> dict:
    return {
        "id": programme.pk,
        "name": programme.name,
        "unit": programme.unit.code,
        "scope_root": programme.scope_root.code,
        "start_year": programme.start_year,
        "end_year": programme.end_year,
        "cadences": list(programme.cadences or []),
        "batches": [
            {"number": c.number, "year": c.year, "target": c.target} for c in programme.cycles.all()
        ],
    }


def participation_out(row: Participation) -> dict:
    return {
        "id": row.pk,
        "programme": row.programme_id,
        "unit": row.unit.code,
        "unit_name": row.unit.name,
        "state": row.state,
        "batch": row.batch.number if row.batch_id else None,
        "updated_at": row.updated_at.isoformat(),
    }


def visible_programmes(request: HttpRequest, mode: str = scopes.READ):
    user = need(request, "programmes", mode)
    rows = Programme.objects.restrict(user, VIEW).select_related("unit", "scope_root")
    return rows.prefetch_related("cycles")


def visible_participations(request: HttpRequest, mode: str = scopes.READ):
    user = need(request, "programmes", mode)
    rows = Participation.objects.restrict(user, VIEW)
    return rows.select_related("unit", "batch", "programme")


@router.get("/programmes", response=ProgrammePage, url_name="programmes")
def programmes(request: HttpRequest, params: Query[PageParams]):
    return page(request, visible_programmes(request), params, programme_out)


@router.get("/programmes/{programme_id}", response=ProgrammeOut, url_name="programme")
def programme(request: HttpRequest, programme_id: int):
    return programme_out(get_object_or_404(visible_programmes(request), pk=programme_id))


@router.get(
    "/programmes/{programme_id}/participations",
    response=ParticipationPage,
    url_name="participations",
)
def participations(request: HttpRequest, programme_id: int, filters: Query[ParticipationFilters]):
    found = get_object_or_404(visible_programmes(request), pk=programme_id)
    rows = visible_participations(request).filter(programme=found).order_by("unit__path")
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.batch is not None:
        rows = rows.filter(batch__number=filters.batch)
    return page(request, rows, filters, participation_out)


@router.get(
    "/participations/{participation_id}", response=ParticipationOut, url_name="participation"
)
def participation(request: HttpRequest, response: HttpResponse, participation_id: int):
    row = get_object_or_404(visible_participations(request), pk=participation_id)
    response["ETag"] = etag_of(row)
    return participation_out(row)


@router.patch(
    "/participations/{participation_id}",
    response=ParticipationOut,
    url_name="participation_move",
    openapi_extra=if_match(),
)
def participation_update(
    request: HttpRequest, response: HttpResponse, participation_id: int, move: MoveIn
):
    """Move one unit to another state (and batch). Needs ``If-Match`` with the ETag read last;
    a stale one gets 412 and changes nothing."""
    with transaction.atomic():
        rows = visible_participations(request, scopes.WRITE).select_for_update(of=("self",))
        row = get_object_or_404(rows, pk=participation_id)
        check_if_match(request, row)
        batch = None
        if move.batch is not None:
            batch = Cycle.objects.filter(programme_id=row.programme_id, number=move.batch).first()
            if batch is None:
                raise ApiError(422, "refused", _("本项目没有第 %(n)s 批。") % {"n": move.batch})
        moved = participation_move(
            by=request.user, participation=row, to=move.state, batch=batch, reason=move.reason
        )
    moved = get_object_or_404(visible_participations(request), pk=moved.pk)
    response["ETag"] = etag_of(moved)
    return participation_out(moved)
