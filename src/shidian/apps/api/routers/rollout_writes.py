"""Writes of roll-out plans (rollout:write), as the roll-out pages make them: the programme's
office creates a plan, picks its schools, starts the pairing with leads (a Run, as the page's
安排带动), moves a school to another lead by hand and submits the plan; the leading group returns
it with a comment or approves it (the schools become pilots of the plan year's batch). Each goes
through the services the pages call, with the pages' forms; the writes on a plan need
``If-Match`` with its ETag (``GET /rollouts/{id}``) and answer the plan as that GET does, with
its new ETag; the pairing answers 202 with the run to poll (``GET /runs/{id}``)."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.pagination import NO_NUL
from shidian.apps.api.routers.lifecycle_rollout import AREA, RolloutDetail, rollout_answer
from shidian.apps.api.writes import form_refused, if_match, refused, write
from shidian.apps.core.access import MANAGE, VIEW, can
from shidian.apps.orgs.models import OrgUnit
from shidian.apps.programmes.selectors import programme_for
from shidian.apps.rollout import jobs, selectors, services
from shidian.apps.rollout.forms import DecisionForm, LeadForm, PairForm, PlanForm
from shidian.apps.rollout.models import RolloutPlan

router = Router(tags=["rollout"])

Code = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=NO_NUL)]
# The forms' own limits (name 200, comment 1000) are what the page tells; this bound only
# keeps a body from being absurd.
Text = Annotated[str, StringConstraints(max_length=20000, pattern=NO_NUL)]
Number = Field(None, ge=-(10**9), le=10**9, allow_inf_nan=False)


class PlanIn(Schema):
    """The new-plan form's fields; the limits left out take the page's defaults. Every field
    may be left out of the body: the form says what is missing, in the page's words."""

    name: Text | None = None
    year: int | None = Field(None, ge=-(10**9), le=10**9)
    max_km: float | None = Number
    max_load: int | None = Field(None, ge=-(10**9), le=10**9)


class PickIn(Schema):
    """The schools of the next batch by code, or ``top``: the first so many remaining
    candidates in ranking order (the page's 选前 N 所)."""

    units: list[Code] = Field(default_factory=list, max_length=10000)
    top: int | None = Field(None, ge=-(10**9), le=10**9)


class PairIn(Schema):
    """The pairing form's limits; those left out are the plan's current ones."""

    max_km: float | None = Number
    max_load: int | None = Field(None, ge=-(10**9), le=10**9)


class LeadIn(Schema):
    school: Code | None = None
    lead: Code | None = None


class CommentIn(Schema):
    comment: Text = ""


class RunStarted(Schema):
    run: int
    status: str
    poll: str


def _rows(request: HttpRequest):
    """The plans the caller sees, plain: the counts of ``visible_plans`` are a GROUP BY,
    which PostgreSQL does not lock (FOR UPDATE)."""
    user = need(request, AREA, scopes.WRITE)
    return RolloutPlan.objects.restrict(user, VIEW)


def _valid(form: Any) -> dict:
    if not form.is_valid():
        raise form_refused(form)
    return form.cleaned_data


def _unit_pk(code: str | None) -> int:
    """The unit of that code (0 for none): the forms and services check it may be chosen."""
    if not code:
        return 0
    found = OrgUnit.objects.filter(code=code).values_list("pk", flat=True)  # scoping: ok
    return found.first() or 0


@router.post(
    "/programmes/{programme_id}/rollouts",
    response={201: RolloutDetail},
    url_name="rollout_create",
)
def plan_create(request: HttpRequest, response: HttpResponse, programme_id: int, body: PlanIn):
    """The programme's office creates a roll-out plan (``name``, ``year``, and the limits
    ``max_km``, default 30, and ``max_load``, default 3), as on the programme's roll-out page.
    201 with the plan and its ``ETag``. 404 for who does not see the programme, 403
    ``forbidden`` for anyone but its office, 422 ``invalid`` with the form's messages."""
    user = need(request, AREA, scopes.WRITE)
    programme = programme_for(user=user, programme_id=programme_id)
    if not can(user, MANAGE, programme):  # as the page: before the form is looked at
        raise PermissionDenied
    given = {k: v for k, v in body.model_dump().items() if v is not None}
    data = _valid(PlanForm({"max_km": 30, "max_load": 3, **given}))
    try:
        with transaction.atomic():
            made = services.plan_create(by=user, programme=programme, **data)
    except ValidationError as exc:
        raise refused(exc, code="invalid") from exc
    response["Location"] = reverse("api-v1:rollout", kwargs={"rollout_id": made.pk})
    return Status(201, rollout_answer(request, response, made.pk))


@router.post(
    "/rollouts/{rollout_id}/schools",
    response=RolloutDetail,
    url_name="rollout_pick",
    openapi_extra=if_match(),
)
def plan_pick(request: HttpRequest, response: HttpResponse, rollout_id: int, body: PickIn):
    """Set the plan's schools (``units``: codes of remaining candidates, or ``top``: the
    first so many in ranking order); schools kept keep their lead, the others leave the plan.
    422 ``refused`` for no school or one that is not a remaining candidate (nothing changes),
    409 ``not_editable`` once submitted or approved, 403 ``forbidden`` for anyone but the
    office."""

    def act(row):
        if body.top is not None:
            services.plan_pick(by=request.user, plan=row, top=body.top)
        else:
            ids = [_unit_pk(code) for code in body.units]
            services.plan_pick(by=request.user, plan=row, unit_ids=ids)

    write(request, _rows(request), rollout_id, act)
    return rollout_answer(request, response, rollout_id)


@router.post(
    "/rollouts/{rollout_id}/pairing-runs",
    response={202: RunStarted},
    url_name="rollout_pairing",
    openapi_extra=if_match(),
)
def plan_pair(request: HttpRequest, response: HttpResponse, rollout_id: int, body: PairIn):
    """The office starts the pairing of the plan's schools with passed pilots within the
    limits (``max_km``, ``max_load``; the plan's own when left out), computed in the
    background as the page's 安排带动: the limits and pairs are written when it ends. While one
    is queued or running, that one is answered. 202 with the run's id and ``Location`` /
    ``poll`` (``GET /runs/{id}``); the run ends with a refusal naming the schools when no
    pairing fits. 422 ``invalid`` with the form's messages, 422 ``refused`` before any school
    is picked, 409 ``not_editable`` once submitted or approved, 403 ``forbidden`` for anyone
    but the office."""
    given = {k: v for k, v in body.model_dump().items() if v is not None}
    started = []

    def act(row):
        data = _valid(PairForm({"max_km": row.max_km, "max_load": row.max_load, **given}))
        started.append(jobs.pairing_start(by=request.user, plan=row, **data))

    write(request, _rows(request), rollout_id, act)
    run = started[0]
    poll = reverse("api-v1:run", kwargs={"run_id": run.pk})
    response["Location"] = poll
    return Status(202, {"run": run.pk, "status": run.status, "poll": poll})


@router.post(
    "/rollouts/{rollout_id}/lead",
    response=RolloutDetail,
    url_name="rollout_lead",
    openapi_extra=if_match(),
)
def plan_lead(request: HttpRequest, response: HttpResponse, rollout_id: int, body: LeadIn):
    """A hand move: the passed pilot ``lead`` (a code) leads the plan's school ``school``;
    beyond the distance limit is allowed (``by_hand``, with its ``km``), beyond the load is
    not. 422 ``invalid`` with the form's messages (a school not in the plan, a lead that is
    not a passed pilot), 422 ``refused`` for a lead at its load, 409 ``not_editable`` once
    submitted or approved, 403 ``forbidden`` for anyone but the office."""

    def act(row):
        schools = row.schools.select_related("unit")
        school = schools.filter(unit__code=body.school).first() if body.school else None
        form = LeadForm(
            {"school": school.pk if school else "", "lead": _unit_pk(body.lead) or ""},
            schools=schools,
            leads=selectors.possible_leads(row.programme),
        )
        data = _valid(form)
        services.plan_set_lead(by=request.user, plan=row, school=data["school"], lead=data["lead"])

    write(request, _rows(request), rollout_id, act)
    return rollout_answer(request, response, rollout_id)


@router.post(
    "/rollouts/{rollout_id}/submit",
    response=RolloutDetail,
    url_name="rollout_submit",
    openapi_extra=if_match(),
)
def plan_submit(request: HttpRequest, response: HttpResponse, rollout_id: int, body: CommentIn):
    """The office hands the plan to the leading group (提交审批), with an optional
    ``comment``; the approvers are told. 422 ``incomplete`` while no school is picked or one
    has no lead, 422 ``invalid`` for a comment over the form's limit, 409 ``not_editable``
    unless being drafted or returned, 403 ``forbidden`` for anyone but the office."""

    def act(row):
        note = _valid(DecisionForm({"comment": body.comment}))["comment"]
        services.plan_submit(by=request.user, plan=row, note=note)

    write(request, _rows(request), rollout_id, act, invalid="incomplete")
    return rollout_answer(request, response, rollout_id)


@router.post(
    "/rollouts/{rollout_id}/return",
    response=RolloutDetail,
    url_name="rollout_return",
    openapi_extra=if_match(),
)
def plan_return(request: HttpRequest, response: HttpResponse, rollout_id: int, body: CommentIn):
    """The leading group returns a pending plan to the office with a ``comment`` saying what
    to change. 422 ``reason_required`` without one, 422 ``invalid`` over the form's limit,
    409 ``not_allowed`` unless pending, 403 ``forbidden`` for anyone who may not approve."""

    def act(row):
        comment = _valid(DecisionForm({"comment": body.comment}))["comment"]
        services.plan_return(by=request.user, plan=row, comment=comment)

    write(request, _rows(request), rollout_id, act)
    return rollout_answer(request, response, rollout_id)


@router.post(
    "/rollouts/{rollout_id}/approve",
    response=RolloutDetail,
    url_name="rollout_approve",
    openapi_extra=if_match(),
)
def plan_approve(request: HttpRequest, response: HttpResponse, rollout_id: int, body: CommentIn):
    """The leading group approves a pending plan, with an optional ``comment``: its schools
    become pilots of the batch of the plan's year (a new batch when the programme has none),
    all or none. 422 ``incomplete`` when a school has no lead, a lead is no longer a passed
    pilot or over its load, or a school is no longer a remaining candidate; 409
    ``not_allowed`` unless pending, 403 ``forbidden`` for anyone who may not approve."""

    def act(row):
        comment = _valid(DecisionForm({"comment": body.comment}))["comment"]
        services.plan_approve(by=request.user, plan=row, comment=comment)

    write(request, _rows(request), rollout_id, act, invalid="incomplete")
    return rollout_answer(request, response, rollout_id)
