"""Writes of pilot selection (selection:write), as the selection pages make them: a zone
recommends candidates of its schools within its quota and withdraws them (the office may on a
zone's behalf); the office submits the list for approval; the leading group approves it or
returns it with a reason; the office starts a matching of controls, computed in the background
as a Run. Each goes through the selection services the pages call, under ``If-Match`` with the
selection's ETag (``GET /selections/{id}``), and answers the selection as that GET does with its
new ETag; the matching answers 202 with the run to poll (``GET /runs/{id}``)."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Path, Schema, Status
from pydantic import StringConstraints

from shidian.apps.api import scopes
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import NO_NUL
from shidian.apps.api.routers import selection as reads
from shidian.apps.api.routers.selection import SelectionDetail, selection_detail_out
from shidian.apps.api.writes import if_match, write
from shidian.apps.core.access import FILL, MANAGE, VIEW, can
from shidian.apps.orgs.models import OrgUnit
from shidian.apps.selection.models import Recommendation, ZoneQuota
from shidian.apps.selection.services import approval, controls
from shidian.apps.selection.services import recommend as recommending

# The read router: POST shares its path with ``GET /selections/{id}/recommendations``, and
# Django would send every method to the first router's pattern. api.py imports this module
# before mounting it.
router = reads.router
TAGS = ["selection"]

Code = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=NO_NUL)]
# The services' own limits (reason 500, comment 1000) are what the page tells; this bound only
# keeps a body from being absurd.
Text = Annotated[str, StringConstraints(max_length=20000, pattern=NO_NUL)]
Short = Annotated[str, StringConstraints(max_length=64, pattern=NO_NUL)]


class PickIn(Schema):
    unit: Code
    reason: Text = ""


class RecommendIn(Schema):
    picks: list[PickIn] = Field(..., min_length=1, max_length=1000)


class NoteIn(Schema):
    note: Text = ""


class CommentIn(Schema):
    comment: Text = ""


class ReasonIn(Schema):
    reason: Text = ""


class MatchIn(Schema):
    """The matching form's fields; any left out take the page's defaults."""

    method: Short = "propensity"
    ratio: int = Field(1, ge=-(10**9), le=10**9)
    caliper: float | None = Field(None, ge=-1e9, le=1e9, allow_inf_nan=False)
    exact: list[Short] = Field(default_factory=list, max_length=50)
    covariates: list[Short] | None = Field(None, max_length=50)
    replace: bool = False
    smd_denominator: Short = "treated"


class RunStarted(Schema):
    run: int
    number: int
    status: str
    poll: str


def _rows(request: HttpRequest):
    return reads.visible_selections(request, scopes.WRITE)


def _answer(response: HttpResponse, request: HttpRequest, selection_id: int) -> dict:
    row = get_object_or_404(reads.visible_selections(request), pk=selection_id)
    response["ETag"] = etag_of(row)
    return selection_detail_out(request, row)


def _unit_pk(code: str) -> int:
    """The school of that code (0 for none): the services check it is a candidate."""
    found = OrgUnit.objects.filter(code=code).values_list("pk", flat=True)  # scoping: ok
    return found.first() or 0


@router.post(
    "/selections/{selection_id}/recommendations",
    response=SelectionDetail,
    url_name="selection_recommend",
    openapi_extra=if_match(),
    tags=TAGS,
)
def recommend(request: HttpRequest, response: HttpResponse, selection_id: int, body: RecommendIn):
    """A zone with a quota recommends schools of its own (``picks``: school code and reason),
    all or none, as on the recommendation page; the office recommends each for the zone the
    school belongs to. Refusals: 422 ``refused`` (not a candidate of the zone, no reason, over
    the places left, already recommended), 409 ``late`` (a zone after the deadline),
    ``closed`` (no recommendation step, or the shortlist adopted), ``not_editable`` (submitted
    or approved); 403 ``forbidden`` for anyone but the office or a zone with a quota."""
    picks = [(_unit_pk(p.unit), p.reason) for p in body.picks]

    def act(row):
        if can(request.user, MANAGE, row):
            for unit_id, reason in picks:
                recommending.recommendation_on_behalf(
                    by=request.user, selection=row, unit_id=unit_id, reason=reason
                )
            return
        quota = (
            ZoneQuota.objects.restrict(request.user, FILL)
            .filter(selection=row)
            .select_related("zone")
            .first()
        )
        if quota is None:
            raise PermissionDenied
        recommending.recommendations_add(
            by=request.user, selection=row, zone=quota.zone, picks=picks
        )

    write(request, _rows(request), selection_id, act)
    return _answer(response, request, selection_id)


@router.post(
    "/selections/{selection_id}/recommendations/{unit_code}/withdraw",
    response=SelectionDetail,
    url_name="selection_withdraw",
    openapi_extra=if_match(),
    tags=TAGS,
)
def withdraw(
    request: HttpRequest,
    response: HttpResponse,
    selection_id: int,
    unit_code: str = Path(..., min_length=1, max_length=32, pattern=NO_NUL),
):
    """Withdraw the recommendation of the school ``unit_code``: its zone before the
    deadline, or the office; the school goes back to eligible. 404 for a recommendation the
    caller does not see, 409 ``late`` / ``closed`` / ``not_editable`` as for recommending, 403
    ``forbidden`` for anyone else (another zone's, the leading group)."""

    def act(row):
        rec = (
            Recommendation.objects.restrict(request.user, VIEW)
            .filter(selection=row, unit__code=unit_code)
            .first()
        )
        if rec is None:
            raise Http404
        recommending.recommendation_withdraw(by=request.user, selection=row, unit_id=rec.unit_id)

    write(request, _rows(request), selection_id, act)
    return _answer(response, request, selection_id)


@router.post(
    "/selections/{selection_id}/submit",
    response=SelectionDetail,
    url_name="selection_submit",
    openapi_extra=if_match(),
    tags=TAGS,
)
def submit(request: HttpRequest, response: HttpResponse, selection_id: int, body: NoteIn):
    """The office hands the list, batches and controls to the leading group (送审), with an
    optional ``note``; the approvers are told. 422 ``incomplete`` while no batches are placed
    or the controls are out of date, 409 ``not_allowed`` unless open or returned, 403
    ``forbidden`` for anyone but the office."""

    def act(row):
        approval.selection_submit(by=request.user, selection=row, note=body.note)

    write(request, _rows(request), selection_id, act, invalid="incomplete")
    return _answer(response, request, selection_id)


@router.post(
    "/selections/{selection_id}/approve",
    response=SelectionDetail,
    url_name="selection_approve",
    openapi_extra=if_match(),
    tags=TAGS,
)
def approve(request: HttpRequest, response: HttpResponse, selection_id: int, body: CommentIn):
    """The leading group approves the submitted selection (批准), with an optional
    ``comment``: the next version, and every participation moved to what it says. 409
    ``not_allowed`` unless pending, 422 ``incomplete`` / ``refused`` when the list or a move
    is refused, 403 ``forbidden`` for anyone who may not approve."""

    def act(row):
        approval.selection_approve(by=request.user, selection=row, comment=body.comment)

    write(request, _rows(request), selection_id, act, invalid="incomplete")
    return _answer(response, request, selection_id)


@router.post(
    "/selections/{selection_id}/return",
    response=SelectionDetail,
    url_name="selection_return",
    openapi_extra=if_match(),
    tags=TAGS,
)
def send_back(request: HttpRequest, response: HttpResponse, selection_id: int, body: ReasonIn):
    """The leading group returns a pending selection (or reopens an approved one for an
    amendment) with a ``reason``; the office is told. 422 ``reason_required`` without one,
    409 ``not_allowed`` unless pending or approved, 403 ``forbidden`` for anyone else."""

    def act(row):
        approval.selection_return(by=request.user, selection=row, comment=body.reason)

    write(request, _rows(request), selection_id, act)
    return _answer(response, request, selection_id)


@router.post(
    "/selections/{selection_id}/matching-runs",
    response={202: RunStarted},
    url_name="selection_matching",
    openapi_extra=if_match(),
    tags=TAGS,
)
def matching(request: HttpRequest, response: HttpResponse, selection_id: int, body: MatchIn):
    """The office starts a matching of controls for the placed pilots (对照组匹配) with the
    form's parameters; it runs in the background. Answers 202 with the run's id, the
    matching's ``number`` and ``Location`` / ``poll`` (``GET /runs/{id}``). 422 ``refused``
    for bad parameters or no pilots yet, 409 ``not_editable`` when submitted or approved, 403
    ``forbidden`` for anyone but the office."""
    params = body.model_dump(exclude_unset=True)
    started = []

    def act(row):
        started.append(controls.match_start(by=request.user, selection=row, params=params))

    write(request, _rows(request), selection_id, act)
    match_run = started[0]
    poll = reverse("api-v1:run", kwargs={"run_id": match_run.run_id})
    response["Location"] = poll
    return Status(
        202,
        {
            "run": match_run.run_id,
            "number": match_run.number,
            "status": match_run.run.status,
            "poll": poll,
        },
    )
