"""Writes of creation plans (plans:write), as the plan pages make them: the office opens a
round for a batch (one plan per pilot); the school saves its goals and tasks, attaches its plan
documents and submits; the office approves (choosing how completion is weighted, which freezes
the version) or returns it with a note; after approval the school starts a revision; on an
approved plan the school records its progress (a task's status, a goal's current value).

Each goes through ``plans.services`` (which leaves every state change of a filing to
``submissions.services``), under ``If-Match`` with the plan's ETag (``GET /plans/{id}``), and
answers the plan as that GET does with its new ETag; an upload answers the file's metadata.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, StringConstraints

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import MAX_OFFSET, NO_NUL
from shidian.apps.api.routers import lifecycle_plans as reads
from shidian.apps.api.routers.evidence import (
    EvidenceList,
    EvidenceOut,
    evidence_out,
    upload_description,
)
from shidian.apps.api.routers.lifecycle_plans import PlanDetail, plan_detail_out, visible_plans
from shidian.apps.api.writes import form_refused, if_match, refused, write
from shidian.apps.core.access import VIEW, get_scoped_or_404
from shidian.apps.evidence.models import Evidence
from shidian.apps.plans import services
from shidian.apps.plans.forms import RoundForm
from shidian.apps.plans.kind import GOALS, MAX_ROWS, TASKS
from shidian.apps.plans.services.filings import current_filing
from shidian.apps.programmes.models import Programme

# The read router: PATCH shares its path with ``GET /plans/{id}``, and Django would send every
# method to the first router's pattern. api.py imports this module before mounting it.
router = reads.router
AREA = reads.AREA

# The kind's cleaning (plans.kind) is what the page tells; these bounds only keep a body from
# being absurd.
Short = Annotated[str, StringConstraints(max_length=4000, pattern=NO_NUL)]
Long = Annotated[str, StringConstraints(max_length=20000, pattern=NO_NUL)]
Cell = Short | float | None


class GoalIn(Schema):
    """A goal row as the plan form has it (blank ``code``: numbered G1, G2, ...)."""

    model_config = ConfigDict(extra="forbid")

    code: Cell = None
    indicator: Cell = None
    title: Cell = None
    baseline: Cell = None
    target: Cell = None
    target_date: Cell = None


class TaskIn(Schema):
    """A task row as the plan form has it (dates as ``2026-06-30``; ``weight`` default 1)."""

    model_config = ConfigDict(extra="forbid")

    code: Cell = None
    title: Cell = None
    owner: Cell = None
    starts_on: Cell = None
    due_on: Cell = None
    deliverable: Cell = None
    indicator: Cell = None
    weight: Cell = None
    cancelled: bool = False


class PlanIn(Schema):
    """The plan form's two tables; a table sent replaces the filed one, one left out stays."""

    model_config = ConfigDict(extra="forbid")

    goals: list[GoalIn] | None = Field(None, max_length=MAX_ROWS)
    tasks: list[TaskIn] | None = Field(None, max_length=MAX_ROWS)


class DecideIn(Schema):
    weighting: Short = ""


class NoteIn(Schema):
    note: Long = ""


class RoundIn(Schema):
    """The round form of the programme's plans page."""

    batch: int | None = Field(None, ge=1, le=MAX_OFFSET)
    deadline: dt.date | None = None
    name: Short = ""


class RoundOut(Schema):
    id: int
    programme: int
    name: str
    opens_on: str
    deadline: str
    plans: int


class GoalUpdateIn(Schema):
    goal_code: Short = ""
    value: Cell = None
    note: Long = ""


def _rows(request: HttpRequest):
    return visible_plans(request, scopes.WRITE).select_related("programme__unit")


def _answer(response: HttpResponse, request: HttpRequest, plan_id: int) -> dict:
    row = get_object_or_404(visible_plans(request), pk=plan_id)
    response["ETag"] = etag_of(row)
    return plan_detail_out(request, row)


def _not_saved(problems: list[str]) -> str:
    return _("未保存：%(problems)s") % {"problems": "；".join(problems)}


def _not_submitted(problems: list[str]) -> str:
    return _("还不能提交：%(problems)s") % {"problems": "；".join(problems)}


@router.post(
    "/programmes/{programme_id}/plan-rounds",
    response={201: RoundOut},
    url_name="programme_plan_round_open",
)
def plan_round_open(request: HttpRequest, programme_id: int, body: RoundIn):
    """The programme's office opens a plan round for one of its batches (``batch``: its id,
    as in ``GET /plans``) with the last day ``deadline``: one plan per pilot of the batch not
    yet holding one. 201 with the round. 404 for who does not see the programme, 403
    ``forbidden`` for anyone but its office; 422 ``invalid`` for a batch not of the programme
    or a bad date (the form's messages), ``refused`` for a past deadline or a batch whose
    pilots all have a plan."""
    user = need(request, AREA, scopes.WRITE)
    programme = get_scoped_or_404(Programme, user, VIEW, pk=programme_id)
    form = RoundForm(
        {
            "batch": body.batch,
            "deadline": body.deadline.isoformat() if body.deadline else "",
            "name": body.name,
        },
        programme=programme,
    )
    if not form.is_valid():
        raise form_refused(form)
    try:
        with transaction.atomic():
            made = services.plan_round_open(
                programme=programme,
                batch=form.cleaned_data["batch"],
                user=user,
                deadline=form.deadline_at(),
                name=form.cleaned_data["name"],
            )
    except ValidationError as exc:
        raise refused(exc, code="refused") from exc
    return Status(
        201,
        {
            "id": made.pk,
            "programme": programme.pk,
            "name": made.name,
            "opens_on": made.opens_on.isoformat(),
            "deadline": made.deadline.isoformat(),
            "plans": made.sheets.count(),
        },
    )


@router.patch(
    "/plans/{plan_id}",
    response=PlanDetail,
    url_name="plan_save",
    openapi_extra=if_match(),
)
def plan_save(request: HttpRequest, response: HttpResponse, plan_id: int, body: PlanIn):
    """The school saves its plan's goals and tasks (its own accounts, while the filing may be
    changed), as the plan page's save. A table sent replaces the filed one; the whole plan is
    then checked as the page does. Refusals: 422 ``invalid_answers`` (each row's problem in
    ``details``), 409 ``not_editable`` once submitted or approved, ``closed`` / ``late`` for
    the round, ``not_allowed`` before the round; 403 ``forbidden`` for anyone else."""
    changes = body.model_dump(exclude_unset=True)
    changes = {table: rows or [] for table, rows in changes.items() if table in (GOALS, TASKS)}

    def act(row):
        filing = current_filing(row)
        answers = dict(filing.submission.answers or {}) if filing else {}
        answers.update(changes)
        base = filing.submission.version if filing else -1
        services.plan_save(plan=row, user=request.user, answers=answers, base_version=base)

    write(request, _rows(request), plan_id, act, invalid="invalid_answers", message=_not_saved)
    return _answer(response, request, plan_id)


@router.get("/plans/{plan_id}/attachments", response=EvidenceList, url_name="plan_attachments")
def plan_attachments(request: HttpRequest, plan_id: int):
    """The plan documents attached to the current filing (metadata), as ``filed``."""
    found = get_object_or_404(visible_plans(request), pk=plan_id)
    filed = plan_detail_out(request, found)["filed"]
    items = filed["attachments"] if filed else []
    return {"count": len(items), "items": items}


@router.post(
    "/plans/{plan_id}/attachments",
    response={201: EvidenceOut},
    url_name="plan_attach",
    openapi_extra=upload_description(),
)
def plan_attach(
    request: HttpRequest, response: HttpResponse, plan_id: int, file: File[UploadedFile]
):
    """Attach a plan document to the filing (the school's accounts, while it may be changed),
    as the plan page does. The plan's ``If-Match``; the answer is the file's metadata and the
    plan's new ``ETag``. Refusals: 422 ``file_type`` (not an image, PDF or Office file, or its
    bytes do not match its name), ``file_too_large`` (over 20 MB); 409 ``not_editable`` once
    submitted, ``closed`` / ``late``; 403 ``forbidden`` for anyone else. Nothing is stored."""
    stored: list[Evidence] = []

    def act(row):
        stored.append(services.plan_attach(plan=row, user=request.user, upload=file))

    write(request, _rows(request), plan_id, act)
    row = get_object_or_404(visible_plans(request), pk=plan_id)
    response["ETag"] = etag_of(row)
    found = Evidence.objects.select_related("uploaded_by").get(pk=stored[0].pk)  # scoping: ok
    return Status(201, evidence_out(found))


@router.post(
    "/plans/{plan_id}/submit",
    response=PlanDetail,
    url_name="plan_submit",
    openapi_extra=if_match(),
)
def plan_submit(request: HttpRequest, response: HttpResponse, plan_id: int):
    """The school submits its plan to the office, which is told. 422 ``incomplete`` while the
    plan lacks what the page requires (each in ``details``), 409 ``not_editable`` once
    submitted, ``closed`` / ``late``; 403 ``forbidden`` for anyone but the school."""

    def act(row):
        services.plan_submit(plan=row, user=request.user)

    write(request, _rows(request), plan_id, act, invalid="incomplete", message=_not_submitted)
    return _answer(response, request, plan_id)


@router.post(
    "/plans/{plan_id}/approve",
    response=PlanDetail,
    url_name="plan_approve",
    openapi_extra=if_match(),
)
def plan_approve(request: HttpRequest, response: HttpResponse, plan_id: int, body: DecideIn):
    """The office approves the submitted plan: its goals and tasks become the next version,
    completion computed by ``weighting`` (``weight``: by the tasks' weights, ``count``: each
    task alike). 422 ``refused`` without a weighting, 409 ``not_submitted`` unless the plan
    waits for a decision, 403 ``forbidden`` for anyone but the office."""

    def act(row):
        services.plan_approve(plan=row, user=request.user, weighting=body.weighting)

    write(request, _rows(request), plan_id, act)
    return _answer(response, request, plan_id)


@router.post(
    "/plans/{plan_id}/return",
    response=PlanDetail,
    url_name="plan_return",
    openapi_extra=if_match(),
)
def plan_return(request: HttpRequest, response: HttpResponse, plan_id: int, body: NoteIn):
    """The office returns the submitted plan with a ``note`` (what to change); the school is
    told. 422 ``reason_required`` without one, 409 ``not_submitted`` unless the plan waits for
    a decision, 403 ``forbidden`` for anyone but the office."""
    base_url = request.build_absolute_uri("/")

    def act(row):
        services.plan_return(plan=row, user=request.user, note=body.note, base_url=base_url)

    write(request, _rows(request), plan_id, act)
    return _answer(response, request, plan_id)


@router.post(
    "/plans/{plan_id}/revision",
    response=PlanDetail,
    url_name="plan_revision_start",
    openapi_extra=if_match(),
)
def plan_revision_start(request: HttpRequest, response: HttpResponse, plan_id: int):
    """The school starts a revision of its approved plan: a new filing (``filing`` + 1) as a
    draft from the version in force, to save and submit as before; the version stays in force
    until the revision is approved. 409 ``not_allowed`` unless the plan is approved and no
    revision is under way, 403 ``forbidden`` for anyone but the school."""

    def act(row):
        services.plan_revision_start(plan=row, user=request.user)

    write(request, _rows(request), plan_id, act)
    return _answer(response, request, plan_id)


@router.post(
    "/plans/{plan_id}/task-updates",
    response=PlanDetail,
    url_name="plan_task_update",
    openapi_extra={
        **if_match(),
        "requestBody": {
            "description": "multipart: ``task_code``, ``status``, ``note`` and, for a done "
            "task, an ``evidence`` file"
        },
    },
)
def plan_task_update(
    request: HttpRequest,
    response: HttpResponse,
    plan_id: int,
    task_code: str = Form("", max_length=4000, pattern=NO_NUL),
    status: str = Form("", max_length=4000, pattern=NO_NUL),
    note: str = Form("", max_length=20000, pattern=NO_NUL),
    evidence: UploadedFile | None = File(None),  # only a done task needs one
):
    """The school records a task's progress on its approved plan, as the progress page does:
    ``status`` (``not_started``, ``on_track``, ``done``; done needs an ``evidence`` file) and a
    ``note``, dated today. 422 ``refused`` for a task not in the version in force, a cancelled
    task, no status or no file for a done task, ``file_type`` / ``file_too_large`` for the
    file; 409 ``not_allowed`` before the plan is approved; 403 ``forbidden`` for anyone but
    the school."""

    def act(row):
        services.task_update_record(
            plan=row,
            user=request.user,
            task_code=task_code,
            status=status,
            note=note,
            upload=evidence,
        )

    write(request, _rows(request), plan_id, act)
    return _answer(response, request, plan_id)


@router.post(
    "/plans/{plan_id}/goal-updates",
    response=PlanDetail,
    url_name="plan_goal_update",
    openapi_extra=if_match(),
)
def plan_goal_update(
    request: HttpRequest, response: HttpResponse, plan_id: int, body: GoalUpdateIn
):
    """The school records a goal's current ``value`` (a number) on its approved plan, dated
    today. 422 ``refused`` for a goal not in the version in force or a value not a number,
    409 ``not_allowed`` before the plan is approved, 403 ``forbidden`` for anyone but the
    school."""
    value = "" if body.value is None else body.value

    def act(row):
        services.goal_update_record(
            plan=row, user=request.user, goal_code=body.goal_code, value=value, note=body.note
        )

    write(request, _rows(request), plan_id, act)
    return _answer(response, request, plan_id)
