"""Writes on self-assessment sheets (campaigns:write): save answers, submit; the office returns
or accepts. Each goes through the services the sheet page calls (campaigns.sheets and
submissions.services), under ``If-Match``, and answers the sheet as ``GET /sheets/{id}`` does
with its new ETag."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import StringConstraints

from shidian.apps.api import scopes
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import NO_NUL
from shidian.apps.api.routers import areas
from shidian.apps.api.routers.areas import SheetDetail, sheet_detail_out, visible_sheets
from shidian.apps.api.writes import if_match, write
from shidian.apps.campaigns import sheets
from shidian.apps.notifications.links import request_base_url
from shidian.apps.submissions import services as submission_services

# The read router: PATCH shares its path with ``GET /sheets/{id}``, and Django would send every
# method to the first router's pattern. api.py imports this module before mounting it.
router = areas.router
TAGS = ["campaigns"]

Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NO_NUL)]
Short = Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)]
Long = Annotated[str, StringConstraints(max_length=4000, pattern=NO_NUL)]
# Bounded and finite: an infinite number is no answer, and JSON columns cannot store it.
Number = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]


class AnswerIn(Schema):
    """One item's answer, as the sheet page sends it: ``value`` (a level such as "A", a score,
    是/否, a number) or, for a ratio item, ``numerator`` and ``denominator``."""

    value: bool | Number | Short | None = None
    numerator: Number | Short | None = None
    denominator: Number | Short | None = None


class AnswersIn(Schema):
    answers: dict[Code, AnswerIn | None] = Field(..., max_length=2000)


class ReturnIn(Schema):
    comments: dict[Code, Long] = Field(default_factory=dict, max_length=2000)
    note: Long = ""


def _rows(request: HttpRequest):
    return visible_sheets(request, scopes.WRITE).select_related("round__version")


def _answer(response: HttpResponse, request: HttpRequest, sheet_id: int) -> dict:
    row = get_object_or_404(visible_sheets(request), pk=sheet_id)
    response["ETag"] = etag_of(row)
    return sheet_detail_out(row)


def _not_saved(problems: list[str]) -> str:
    return _("未保存：%(problems)s") % {"problems": "；".join(problems)}


def _not_submitted(problems: list[str]) -> str:
    shown = "；".join(problems[:12]) + ("……" if len(problems) > 12 else "")
    return _("还不能提交：%(problems)s") % {"problems": shown}


@router.patch(
    "/sheets/{sheet_id}",
    response=SheetDetail,
    url_name="sheet_save",
    openapi_extra=if_match(),
    tags=TAGS,
)
def sheet_save(request: HttpRequest, response: HttpResponse, sheet_id: int, body: AnswersIn):
    """Save answers of the caller's own sheet (the unit's accounts, as on the page). Only the
    items named change (``null`` or ``{}`` clears one); the whole sheet is then checked and
    scored as the page's save does, in one revision. Refusals: 422 ``invalid_answers`` (each
    problem in ``details``, nothing saved), 422 ``unknown_item``, 409 ``not_editable``
    (submitted or accepted), ``closed``, ``late``; 403 ``forbidden`` for an account that may
    see the sheet but not fill it."""
    changes = {
        code: (answer.model_dump(exclude_none=True) if answer else None)
        for code, answer in body.answers.items()
    }

    def act(row):
        submission_services.submission_save_answers(
            submission=row, user=request.user, changes=changes, base_version=row.version
        )

    write(request, _rows(request), sheet_id, act, invalid="invalid_answers", message=_not_saved)
    return _answer(response, request, sheet_id)


@router.post(
    "/sheets/{sheet_id}/submit",
    response=SheetDetail,
    url_name="sheet_submit",
    openapi_extra=if_match(),
    tags=TAGS,
)
def sheet_submit(request: HttpRequest, response: HttpResponse, sheet_id: int):
    """Submit the sheet to the office. Refused with 422 ``incomplete`` while items are
    unanswered or required evidence is missing (each in ``details``), 409 ``not_editable``
    once submitted, ``closed`` / ``late`` when the campaign no longer takes it."""

    def act(row):
        sheets.sheet_submit(sheet=row, user=request.user)

    write(request, _rows(request), sheet_id, act, invalid="incomplete", message=_not_submitted)
    return _answer(response, request, sheet_id)


@router.post(
    "/sheets/{sheet_id}/return",
    response=SheetDetail,
    url_name="sheet_return",
    openapi_extra=if_match(),
    tags=TAGS,
)
def sheet_return(request: HttpRequest, response: HttpResponse, sheet_id: int, body: ReturnIn):
    """The office that runs the campaign sends a submitted sheet back, with ``comments`` per
    item code and a ``note``; the unit's coordinators are told, as from the page. 403
    ``forbidden`` for anyone else, 409 ``not_submitted`` unless the sheet waits for a
    decision, 422 ``unknown_item`` for a comment on an item the sheet does not have."""
    comments = {code: text for code, text in body.comments.items() if text.strip()}

    def act(row):
        sheets.sheet_return(
            sheet=row,
            user=request.user,
            comments=comments,
            note=body.note,
            base_url=request_base_url(request),
        )

    write(request, _rows(request), sheet_id, act)
    return _answer(response, request, sheet_id)


@router.post(
    "/sheets/{sheet_id}/accept",
    response=SheetDetail,
    url_name="sheet_accept",
    openapi_extra=if_match(),
    tags=TAGS,
)
def sheet_accept(request: HttpRequest, response: HttpResponse, sheet_id: int):
    """The office accepts a submitted sheet. 403 ``forbidden`` for anyone else, 409
    ``not_submitted`` unless the sheet waits for a decision."""

    def act(row):
        sheets.sheet_accept(sheet=row, user=request.user)

    write(request, _rows(request), sheet_id, act)
    return _answer(response, request, sheet_id)
