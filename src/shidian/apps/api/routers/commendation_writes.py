"""Writes of commendations (commendations:write), as the commendation pages make them: the
programme's office creates a list and adds nominations, a lower office (a zone, a county
office under the programme's unit) proposes nominations of its own subtree, the office
includes or declines each proposal and submits the list; the leading group returns it with a
comment or approves it, which generates the notice (通报表彰) through the documents app.

Each goes through ``commendations.services``, under ``If-Match`` with the list's ETag
(``GET /commendations/{id}``) except the create (201), and answers the list as that GET does
with its new ETag. The pages' forms check the input first (422 ``invalid`` with their
messages)."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import StringConstraints

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.errors import ApiError
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import NO_NUL
from shidian.apps.api.routers.lifecycle_commendations import (
    AREA,
    CommendationDetail,
    commendation_detail_out,
    visible_commendations,
)
from shidian.apps.api.writes import form_refused, if_match, refused, write
from shidian.apps.commendations import selectors, services
from shidian.apps.commendations.forms import (
    CommendationForm,
    DecisionForm,
    DeclineForm,
    NominationForm,
)
from shidian.apps.commendations.models import Nomination
from shidian.apps.core.access import MANAGE, VIEW, can
from shidian.apps.programmes.selectors import programme_for

router = Router(tags=["commendations"])

# The forms' limits are what the page tells; this bound only keeps a body from being absurd.
Text = Annotated[str, StringConstraints(max_length=20000, pattern=NO_NUL)]


class CommendationIn(Schema):
    title: Text = ""


class NominationIn(Schema):
    """The nomination form: ``category`` (``unit``, ``team``, ``person``), the ``unit``'s
    code (the commended unit, or the team's or person's), ``name`` and ``role`` for a team or
    person, and the ``reason``."""

    category: Text = ""
    unit: Text = ""
    name: Text = ""
    role: Text = ""
    reason: Text = ""


class DecideIn(Schema):
    decision: Text = ""  # include or decline
    note: Text = ""


class NoteIn(Schema):
    note: Text = ""


class CommentIn(Schema):
    comment: Text = ""


def _rows(request: HttpRequest):
    return visible_commendations(request, scopes.WRITE).select_related("programme__unit")


def _answer(response: HttpResponse, request: HttpRequest, commendation_id: int) -> dict:
    row = get_object_or_404(visible_commendations(request), pk=commendation_id)
    response["ETag"] = etag_of(row)
    return commendation_detail_out(request, row)


def _comment(body: CommentIn) -> str:
    """The decision form's comment, as the page checks it."""
    form = DecisionForm({"comment": body.comment})
    if not form.is_valid():
        raise form_refused(form)
    return form.cleaned_data["comment"]


@router.post(
    "/programmes/{programme_id}/commendations",
    response={201: CommendationDetail},
    url_name="programme_commendation_create",
)
def commendation_create(
    request: HttpRequest, response: HttpResponse, programme_id: int, body: CommendationIn
):
    """The programme's office creates an empty list with a ``title``. 201 with the list and
    its ``ETag``. 404 for who does not see the programme, 403 ``forbidden`` for anyone but its
    office, 422 ``invalid`` without a title or with one over 200 characters."""
    user = need(request, AREA, scopes.WRITE)
    programme = programme_for(user=user, programme_id=programme_id)
    if not can(user, MANAGE, programme):  # as the page: only the office sees the form
        raise PermissionDenied
    form = CommendationForm({"title": body.title})
    if not form.is_valid():
        raise form_refused(form)
    try:
        with transaction.atomic():
            made = services.commendation_create(
                by=user, programme=programme, title=form.cleaned_data["title"]
            )
    except ValidationError as exc:
        raise refused(exc, code="refused") from exc
    return Status(201, _answer(response, request, made.pk))


@router.post(
    "/commendations/{commendation_id}/nominations",
    response=CommendationDetail,
    url_name="commendation_nominate",
    openapi_extra=if_match(),
)
def commendation_nominate(
    request: HttpRequest, response: HttpResponse, commendation_id: int, body: NominationIn
):
    """The office adds a nomination to the list (included at once); a lower office proposes
    one of a unit in its subtree (``proposed``, for the office to include or decline), as the
    list page does. 422 ``invalid`` for the form's problems (no category or reason, a unit the
    caller may not name), ``refused`` for a unit not passed for a 先进单位, a person without a
    role, one already on the list; 409 ``not_editable`` once submitted or approved; 403
    ``forbidden`` for anyone else."""

    def act(row):
        units = selectors.nomination_units(user=request.user, programme=row.programme)
        form = NominationForm(body.model_dump(), units=units)
        if not form.is_valid():
            raise form_refused(form)
        data = form.cleaned_data
        services.nomination_add(
            by=request.user,
            commendation=row,
            category=data["category"],
            unit=data["unit"],
            name=data["name"],
            role=data["role"],
            reason=data["reason"],
        )

    write(request, _rows(request), commendation_id, act)
    return _answer(response, request, commendation_id)


@router.post(
    "/commendations/{commendation_id}/nominations/{nomination_id}/decide",
    response=CommendationDetail,
    url_name="commendation_nomination_decide",
    openapi_extra=if_match(),
)
def commendation_nomination_decide(
    request: HttpRequest,
    response: HttpResponse,
    commendation_id: int,
    nomination_id: int,
    body: DecideIn,
):
    """The office includes a proposed nomination (``decision``: ``include``) or declines one
    (``decline``, with a ``note``: required for a lower office's proposal). The list's
    ``If-Match``. 404 for a nomination the caller does not see on this list, 422 ``refused``
    without a needed note or when the same nomination is already included, 409
    ``not_editable`` once submitted or approved, 403 ``forbidden`` for anyone but the office."""

    def act(row):
        nomination = get_object_or_404(
            Nomination.objects.restrict(request.user, VIEW).filter(commendation=row),
            pk=nomination_id,
        )
        if body.decision not in ("include", "decline"):
            detail = {"loc": ["body", "decision"], "message": "include | decline"}
            raise ApiError(422, "invalid", _("请求的数据不正确。"), [detail])
        form = DeclineForm({"note": body.note})
        if not form.is_valid():
            raise form_refused(form)
        services.nomination_decide(
            by=request.user,
            nomination=nomination,
            include=body.decision == "include",
            note=form.cleaned_data["note"],
        )

    write(request, _rows(request), commendation_id, act)
    return _answer(response, request, commendation_id)


@router.post(
    "/commendations/{commendation_id}/submit",
    response=CommendationDetail,
    url_name="commendation_submit",
    openapi_extra=if_match(),
)
def commendation_submit(
    request: HttpRequest, response: HttpResponse, commendation_id: int, body: NoteIn
):
    """The office submits the list to the leading group with an optional ``note``. 422
    ``incomplete`` while a proposal waits for a decision or nothing is included, 409
    ``not_editable`` once submitted or approved, 403 ``forbidden`` for anyone but the
    office."""

    def act(row):
        services.commendation_submit(by=request.user, commendation=row, note=body.note)

    write(request, _rows(request), commendation_id, act, invalid="incomplete")
    return _answer(response, request, commendation_id)


@router.post(
    "/commendations/{commendation_id}/return",
    response=CommendationDetail,
    url_name="commendation_return",
    openapi_extra=if_match(),
)
def commendation_return(
    request: HttpRequest, response: HttpResponse, commendation_id: int, body: CommentIn
):
    """The leading group returns the pending list to the office with a ``comment`` (why).
    422 ``reason_required`` without one, ``invalid`` over 1000 characters, 409
    ``not_allowed`` unless pending, 403 ``forbidden`` for anyone who may not approve."""

    def act(row):
        services.commendation_return(by=request.user, commendation=row, comment=_comment(body))

    write(request, _rows(request), commendation_id, act)
    return _answer(response, request, commendation_id)


@router.post(
    "/commendations/{commendation_id}/approve",
    response=CommendationDetail,
    url_name="commendation_approve",
    openapi_extra=if_match(),
)
def commendation_approve(
    request: HttpRequest, response: HttpResponse, commendation_id: int, body: CommentIn
):
    """The leading group approves the pending list with an optional ``comment``; its notice
    is generated in the same transaction (``notice``: the document, readable under
    ``documents``). 409 ``not_allowed`` unless pending, 422 ``invalid`` for a comment over
    1000 characters, 403 ``forbidden`` for anyone who may not approve."""

    def act(row):
        services.commendation_approve(by=request.user, commendation=row, comment=_comment(body))

    write(request, _rows(request), commendation_id, act)
    return _answer(response, request, commendation_id)
