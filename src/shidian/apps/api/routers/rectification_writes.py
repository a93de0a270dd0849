"""Writes on rectification items (rectification:write): the unit answers what it did, the
office closes (verifies) or reopens. Each goes through the inspections services the item page
calls, under ``If-Match``, and answers the item as ``GET /rectification-items/{id}`` does with
its new ETag."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import StringConstraints

from shidian.apps.api import scopes
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import NO_NUL
from shidian.apps.api.routers.areas import RectificationOut, rectification_out, visible_items
from shidian.apps.api.writes import if_match, write
from shidian.apps.inspections.services import rectification

router = Router(tags=["rectification"])

# The services' own limit (rectification.TEXT_MAX) is what the page tells; this bound only
# keeps a body from being absurd.
Text = Annotated[str, StringConstraints(max_length=20000, pattern=NO_NUL)]


# Blank by default: an empty answer or reason is refused by the service, in the page's words.
class AnswerIn(Schema):
    text: Text = ""


class NoteIn(Schema):
    note: Text = ""


class ReasonIn(Schema):
    reason: Text = ""


def _rows(request: HttpRequest):
    return visible_items(request, scopes.WRITE).select_related("unit", "owner", "programme")


def _answer(response: HttpResponse, request: HttpRequest, rect_item_id: int) -> dict:
    row = get_object_or_404(visible_items(request), pk=rect_item_id)
    response["ETag"] = etag_of(row)
    return rectification_out(row)


@router.post(
    "/rectification-items/{rect_item_id}/answer",
    response=RectificationOut,
    url_name="rectification_answer",
    openapi_extra=if_match(),
)
def item_answer(request: HttpRequest, response: HttpResponse, rect_item_id: int, body: AnswerIn):
    """The responsible school records what it did (``text``) and hands the item in for
    verification (issued or reopened -> answered); the office is told, as from the page.
    Only the school's own accounts (403 ``forbidden`` otherwise). Refusals: 422 ``refused``
    (no text, too long, or the item needs evidence files: answer it with them through
    ``POST /rectification-items/{id}/evidence``),
    409 ``not_allowed`` when the item is not waiting for the school."""

    def act(row):
        rectification.item_answer(by=request.user, item=row, text=body.text)

    write(request, _rows(request), rect_item_id, act)
    return _answer(response, request, rect_item_id)


@router.post(
    "/rectification-items/{rect_item_id}/close",
    response=RectificationOut,
    url_name="rectification_close",
    openapi_extra=if_match(),
)
def item_close(request: HttpRequest, response: HttpResponse, rect_item_id: int, body: NoteIn):
    """The office confirms the school's answer and closes the item for good (销号), with an
    optional ``note``. 403 ``forbidden`` for anyone but the office above the school, 409
    ``not_allowed`` unless the item is answered."""

    def act(row):
        rectification.item_verify_close(by=request.user, item=row, note=body.note)

    write(request, _rows(request), rect_item_id, act)
    return _answer(response, request, rect_item_id)


@router.post(
    "/rectification-items/{rect_item_id}/reopen",
    response=RectificationOut,
    url_name="rectification_reopen",
    openapi_extra=if_match(),
)
def item_reopen(request: HttpRequest, response: HttpResponse, rect_item_id: int, body: ReasonIn):
    """The office sends the answer back with a ``reason`` (answered -> reopened). 422
    ``reason_required`` without one, 409 ``not_allowed`` unless the item is answered, 403
    ``forbidden`` for anyone but the office."""

    def act(row):
        rectification.item_reopen(by=request.user, item=row, reason=body.reason)

    write(request, _rows(request), rect_item_id, act)
    return _answer(response, request, rect_item_id)
