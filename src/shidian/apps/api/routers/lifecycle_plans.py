"""Read routes of creation plans (创建方案): the plans a person sees on the plans pages (a
school its own, its zone and county their subtree's, the grants on the programme), each with
its current filing's status and the figures of the version in force today (completion rate,
scheduled share, late tasks), and one plan's tasks with their statuses, its current filing's
goals and tasks as filed and its attachments, as on the plan page, with an ``ETag`` for the
writes (plan_writes)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import MAX_OFFSET, PageParams, Text, page
from shidian.apps.api.routers.areas import Paged
from shidian.apps.api.routers.evidence import EvidenceOut, evidence_out
from shidian.apps.core.access import VIEW
from shidian.apps.evidence.models import Evidence
from shidian.apps.plans import selectors
from shidian.apps.plans.kind import ATTACHMENTS, GOALS, TASKS
from shidian.apps.plans.models import Plan, PlanFiling
from shidian.apps.plans.progress import plan_states
from shidian.apps.plans.services.filings import current_filing

router = Router(tags=["plans"])
AREA = "plans"


class PlanOut(Schema):
    id: int
    programme: int
    unit: str
    unit_name: str
    batch: int
    status: str | None  # the current filing's submission status; null before the round
    filing: int | None
    version: int | None  # the approved version in force today
    tasks: int | None
    late_tasks: int | None
    rate: float | None
    scheduled: float | None
    behind: bool | None


class TaskOut(Schema):
    code: str
    title: str
    owner: str
    starts_on: str
    due_on: str
    deliverable: str
    indicator_code: str
    weight: float
    status: str
    scheduled: float
    last_reported_on: str | None


class FilingOut(Schema):
    """The current filing as the school filed it (a draft, a revision under way)."""

    goals: list[dict]
    tasks: list[dict]
    return_note: str
    attachments: list[EvidenceOut]


class PlanDetail(PlanOut):
    task_list: list[TaskOut]
    filed: FilingOut | None  # null before the round


class PlanPage(Paged):
    items: list[PlanOut]


class PlanFilters(PageParams):
    programme: int | None = Field(None, ge=1, le=MAX_OFFSET)
    batch: int | None = Field(None, ge=1, le=MAX_OFFSET)
    unit: Text | None = None
    status: Text | None = None


def visible_plans(request: HttpRequest, mode: str = scopes.READ):
    """The plans the caller sees on the plan pages (``mode``: the token scope needed)."""
    user = need(request, AREA, mode)
    return Plan.objects.restrict(user, VIEW).select_related("unit", "programme", "batch")


def _states(plans: list[Plan], as_of) -> dict:
    by_programme: dict = {}
    for plan in plans:
        by_programme.setdefault(plan.programme_id, (plan.programme, []))[1].append(plan.unit_id)
    states = {}
    for programme, unit_ids in by_programme.values():
        for state in plan_states(programme, as_of=as_of, unit_ids=unit_ids):
            states[state.plan_id] = state
    return states


def plan_out(plan: Plan, state) -> dict:
    filing = current_filing(plan)
    done = state.completion if state else None
    return {
        "id": plan.pk,
        "programme": plan.programme_id,
        "unit": plan.unit.code,
        "unit_name": plan.unit.name,
        "batch": plan.batch_id,
        "status": filing.submission.status if filing else None,
        "filing": filing.number if filing else None,
        "version": state.version.number if state else None,
        "tasks": done.tasks if done else None,
        "late_tasks": done.late_tasks if done else None,
        "rate": done.rate if done else None,
        "scheduled": done.scheduled if done else None,
        "behind": done.behind if done else None,
    }


@router.get("/plans", response=PlanPage, url_name="plans")
def plans(request: HttpRequest, filters: Query[PlanFilters]):
    """Plans the caller sees, by programme, batch and school code."""
    rows = visible_plans(request).order_by("programme_id", "batch__number", "unit__code", "pk")
    if filters.programme is not None:
        rows = rows.filter(programme_id=filters.programme)
    if filters.batch is not None:
        rows = rows.filter(batch_id=filters.batch)
    if filters.unit:
        rows = rows.filter(unit__code=filters.unit)
    if filters.status:
        latest = (
            PlanFiling.objects.filter(plan=OuterRef("pk"))  # scoping: ok the plan's own
            .order_by("-number")
            .values("submission__status")[:1]
        )
        rows = rows.annotate(filing_status=Subquery(latest)).filter(filing_status=filters.status)
    result = page(request, rows, filters, lambda p: p)
    states = _states(result["items"], timezone.localdate())
    result["items"] = [plan_out(p, states.get(p.pk)) for p in result["items"]]
    return result


def _filed(request: HttpRequest, plan: Plan) -> dict | None:
    filing = current_filing(plan)
    if filing is None:
        return None
    submission = filing.submission
    files = (
        Evidence.objects.restrict(request.user, VIEW)
        .filter(submission=submission, item_code=ATTACHMENTS)
        .select_related("uploaded_by")
        .order_by("created_at", "pk")
    )
    answers = submission.answers or {}
    return {
        "goals": list(answers.get(GOALS, [])),
        "tasks": list(answers.get(TASKS, [])),
        "return_note": submission.return_note,
        "attachments": [evidence_out(f) for f in files],
    }


def plan_detail_out(request: HttpRequest, found: Plan) -> dict:
    """One plan as ``GET /plans/{id}`` gives it (the writes answer it too)."""
    today = timezone.localdate()
    detail = selectors.plan_detail(plan=found, as_of=today)
    tasks = [
        {
            "code": line.task.code,
            "title": line.task.title,
            "owner": line.task.owner,
            "starts_on": line.task.starts_on.isoformat(),
            "due_on": line.task.due_on.isoformat(),
            "deliverable": line.task.deliverable,
            "indicator_code": line.task.indicator_code,
            "weight": line.task.weight,
            "status": line.status,
            "scheduled": line.scheduled,
            "last_reported_on": line.last.reported_on.isoformat() if line.last else None,
        }
        for line in detail["lines"]
    ]
    return {**plan_out(found, detail["state"]), "task_list": tasks, "filed": _filed(request, found)}


@router.get("/plans/{plan_id}", response=PlanDetail, url_name="plan")
def plan(request: HttpRequest, response: HttpResponse, plan_id: int):
    """One plan with the tasks of its version in force (else its latest), as the plan page,
    its current filing as filed, and an ``ETag`` for the writes."""
    found = get_object_or_404(visible_plans(request), pk=plan_id)
    response["ETag"] = etag_of(found)
    return plan_detail_out(request, found)
