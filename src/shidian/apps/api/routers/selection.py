"""Read routes of pilot selection, as the pages show it: the selections a person sees, the
recommended candidates (a zone reads its own schools'), and, for those who follow the whole
selection (the office that runs it, the leading group that approves it), the shortlist and
the approved result. A zone with a quota sees the selection but not the county-wide results:
those routes answer 404 to it, like the step pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import MAX_OFFSET, PageParams, Text, page
from shidian.apps.api.routers.areas import Paged
from shidian.apps.core.access import VIEW
from shidian.apps.selection.models import (
    Recommendation,
    Selection,
    SelectionEvent,
    SelectionVersion,
    Shortlisted,
)
from shidian.apps.selection.selectors import follows

router = Router(tags=["selection"])


class SelectionOut(Schema):
    id: int
    programme: int
    campaign: int
    name: str
    status: str
    pilot_count: int
    recommend: bool
    recommend_due: str | None
    updated_at: str


class HistoryOut(Schema):
    action: str
    comment: str
    at: str


class SelectionDetail(SelectionOut):
    approved_version: int | None
    history: list[HistoryOut]


class SelectionPage(Paged):
    items: list[SelectionOut]


class SelectionFilters(PageParams):
    programme: int | None = Field(None, ge=1, le=MAX_OFFSET)
    status: Text | None = None


class RecommendationOut(Schema):
    unit: str
    unit_name: str
    zone: str
    reason: str
    at: str


class RecommendationPage(Paged):
    items: list[RecommendationOut]


class ShortlistedOut(Schema):
    unit: str
    unit_name: str
    rank: int
    score: float
    forced_reason: str


class ShortlistPage(Paged):
    items: list[ShortlistedOut]


class PilotOut(Schema):
    unit: str
    name: str
    batch: int
    year: int
    rank: int | None
    score: float | None


class ControlOut(Schema):
    pilot: str
    control: str
    control_name: str


class ResultOut(Schema):
    selection: int
    version: int | None
    approved_at: str | None
    reason: str
    pilots: list[PilotOut]
    controls: list[ControlOut]


def selection_out(row: Selection) -> dict:
    return {
        "id": row.pk,
        "programme": row.programme_id,
        "campaign": row.round_id,
        "name": row.name,
        "status": row.status,
        "pilot_count": row.pilot_count,
        "recommend": row.recommend,
        "recommend_due": row.recommend_due.isoformat() if row.recommend_due else None,
        "updated_at": row.updated_at.isoformat(),
    }


def visible_selections(request: HttpRequest, mode: str = scopes.READ):
    user = need(request, "selection", mode)
    return Selection.objects.restrict(user, VIEW).select_related("programme__unit")


def _selection(request: HttpRequest, selection_id: int) -> Selection:
    return get_object_or_404(visible_selections(request), pk=selection_id)


def _followed(request: HttpRequest, selection_id: int) -> Selection:
    found = _selection(request, selection_id)
    if not follows(request.user, found):
        raise Http404
    return found


def _latest(request: HttpRequest, selection: Selection) -> SelectionVersion | None:
    rows = SelectionVersion.objects.restrict(request.user, VIEW).filter(selection=selection)
    return rows.order_by("-number").first()


@router.get("/selections", response=SelectionPage, url_name="selections")
def selections(request: HttpRequest, filters: Query[SelectionFilters]):
    rows = visible_selections(request).order_by("-created_at", "-pk")
    if filters.programme is not None:
        rows = rows.filter(programme_id=filters.programme)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return page(request, rows, filters, selection_out)


def selection_detail_out(request: HttpRequest, found: Selection) -> dict:
    """The selection as ``GET /selections/{id}`` gives it: its approval history and approved
    version only for who follows it."""
    history, version = [], None
    if follows(request.user, found):
        events = SelectionEvent.objects.restrict(request.user, VIEW).filter(selection=found)
        history = [
            {"action": e.action, "comment": e.comment, "at": e.at.isoformat()}
            for e in events.order_by("at", "pk")
        ]
        latest = _latest(request, found)
        version = latest.number if latest else None
    return {**selection_out(found), "approved_version": version, "history": history}


@router.get("/selections/{selection_id}", response=SelectionDetail, url_name="selection")
def selection(request: HttpRequest, response: HttpResponse, selection_id: int):
    """One selection, with the ``ETag`` its writes need; its approval history and approved
    version only for who follows it."""
    found = _selection(request, selection_id)
    response["ETag"] = etag_of(found)
    return selection_detail_out(request, found)


@router.get(
    "/selections/{selection_id}/recommendations",
    response=RecommendationPage,
    url_name="selection_recommendations",
)
def recommendations(request: HttpRequest, selection_id: int, params: Query[PageParams]):
    """The zones' recommended candidates (a zone reads those of its own schools)."""
    found = _selection(request, selection_id)
    rows = (
        Recommendation.objects.restrict(request.user, VIEW)
        .filter(selection=found)
        .select_related("unit", "zone")
        .order_by("zone__path", "unit__code")
    )
    return page(
        request,
        rows,
        params,
        lambda r: {
            "unit": r.unit.code,
            "unit_name": r.unit.name,
            "zone": r.zone.code,
            "reason": r.reason,
            "at": r.at.isoformat(),
        },
    )


@router.get(
    "/selections/{selection_id}/shortlist", response=ShortlistPage, url_name="selection_shortlist"
)
def shortlist(request: HttpRequest, selection_id: int, params: Query[PageParams]):
    """The adopted shortlist, by rank (for who follows the selection)."""
    found = _followed(request, selection_id)
    rows = (
        Shortlisted.objects.restrict(request.user, VIEW)
        .filter(selection=found)
        .select_related("unit")
        .order_by("rank", "unit__code")
    )
    return page(
        request,
        rows,
        params,
        lambda r: {
            "unit": r.unit.code,
            "unit_name": r.unit.name,
            "rank": r.rank,
            "score": r.score,
            "forced_reason": r.forced_reason,
        },
    )


@router.get("/selections/{selection_id}/results", response=ResultOut, url_name="selection_results")
def results(request: HttpRequest, selection_id: int):
    """The latest approved version: pilots by batch and their controls (``version`` null
    before the first approval)."""
    found = _followed(request, selection_id)
    latest = _latest(request, found)
    snapshot = latest.snapshot if latest else {}
    return {
        "selection": found.pk,
        "version": latest.number if latest else None,
        "approved_at": latest.approved_at.isoformat() if latest else None,
        "reason": latest.reason if latest else "",
        "pilots": [
            {
                "unit": p["code"],
                "name": p["name"],
                "batch": p["batch"],
                "year": p["year"],
                "rank": p.get("rank"),
                "score": p.get("score"),
            }
            for p in snapshot.get("pilots", [])
        ],
        "controls": [
            {
                "pilot": c["pilot_code"],
                "control": c["control_code"],
                "control_name": c["control_name"],
            }
            for c in snapshot.get("controls", [])
        ],
    }
