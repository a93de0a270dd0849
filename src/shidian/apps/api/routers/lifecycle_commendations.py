"""Read routes of commendations (通报表彰): the lists a person sees on the commendation pages
(the programme unit's office and leading group, the grants on the programme, and the lower
offices under it, which see the lists to propose from their subtree) and, on one list, the
nominations the page shows them: the whole list for the office, only its own proposals for a
lower office. A school sees no list, as on its pages. The notice is given by its document id
when the caller may read that document (the documents area's route serves it)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import MAX_OFFSET, PageParams, Text, page
from shidian.apps.api.routers.areas import Paged
from shidian.apps.commendations import selectors
from shidian.apps.commendations.models import Commendation, NominationStatus
from shidian.apps.core.access import VIEW
from shidian.apps.documents.models import Document

router = Router(tags=["commendations"])
AREA = "commendations"


class NoticeOut(Schema):
    document: int
    title: str


class CommendationOut(Schema):
    id: int
    programme: int
    title: str
    status: str
    included: int
    notice: NoticeOut | None
    updated_at: str


class NominationOut(Schema):
    id: int
    category: str
    unit: str
    unit_name: str
    name: str
    role: str
    reason: str
    status: str
    proposed_by_unit: str | None
    decline_note: str


class CommendationDetail(CommendationOut):
    nominations: list[NominationOut]


class CommendationPage(Paged):
    items: list[CommendationOut]


class CommendationFilters(PageParams):
    programme: int | None = Field(None, ge=1, le=MAX_OFFSET)
    status: Text | None = None


def visible_commendations(request: HttpRequest, mode: str = scopes.READ):
    """The lists the caller sees on the commendation pages (``mode``: the token scope)."""
    user = need(request, AREA, mode)
    return Commendation.objects.restrict(user, VIEW).select_related("programme")


def _out(request: HttpRequest, row: Commendation, nominations: list) -> dict:
    notice = None
    if row.notice_id:
        found = Document.objects.restrict(request.user, VIEW).filter(pk=row.notice_id).first()
        if found is not None:
            notice = {"document": found.pk, "title": found.title}
    return {
        "id": row.pk,
        "programme": row.programme_id,
        "title": row.title,
        "status": row.status,
        "included": sum(1 for n in nominations if n.status == NominationStatus.INCLUDED),
        "notice": notice,
        "updated_at": row.updated_at.isoformat(),
    }


def _nominations(request: HttpRequest, row: Commendation) -> list:
    found = selectors.nominations_for(user=request.user, commendation=row)
    return list(found.order_by("category", "unit__code", "name", "pk"))


def nomination_out(n) -> dict:
    return {
        "id": n.pk,
        "category": n.category,
        "unit": n.unit.code,
        "unit_name": n.unit.name,
        "name": n.name,
        "role": n.role,
        "reason": n.reason,
        "status": n.status,
        "proposed_by_unit": n.proposed_by_unit.code if n.proposed_by_unit_id else None,
        "decline_note": n.decline_note,
    }


@router.get("/commendations", response=CommendationPage, url_name="commendations")
def commendations(request: HttpRequest, filters: Query[CommendationFilters]):
    """Commendation lists the caller sees, newest first (``status=approved`` for the approved
    ones); ``included`` counts the included nominations the caller sees."""
    rows = visible_commendations(request).order_by("-created_at", "-pk")
    if filters.programme is not None:
        rows = rows.filter(programme_id=filters.programme)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return page(request, rows, filters, lambda r: _out(request, r, _nominations(request, r)))


@router.get(
    "/commendations/{commendation_id}", response=CommendationDetail, url_name="commendation"
)
def commendation(request: HttpRequest, response: HttpResponse, commendation_id: int):
    """One list with the nominations the caller sees, and an ``ETag`` for the writes."""
    found = get_object_or_404(visible_commendations(request), pk=commendation_id)
    response["ETag"] = etag_of(found)
    return commendation_detail_out(request, found)


def commendation_detail_out(request: HttpRequest, found: Commendation) -> dict:
    """One list as ``GET /commendations/{id}`` gives it (the writes answer it too)."""
    nominations = _nominations(request, found)
    return {
        **_out(request, found, nominations),
        "nominations": [nomination_out(n) for n in nominations],
    }
