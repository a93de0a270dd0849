"""Plan pages: a programme's plans (office), a plan (fill, review), its progress and timeline.

Thin: look up through the access mechanism (404 when invisible), call a service, render.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import FILL, MANAGE, VIEW, can, get_scoped_or_404
from shidian.apps.evidence.models import Evidence
from shidian.apps.plans import selectors, services
from shidian.apps.plans.forms import (
    DecideForm,
    GoalUpdateForm,
    ReturnForm,
    RoundForm,
    TaskUpdateForm,
    rows_from_post,
    with_blank_rows,
)
from shidian.apps.plans.kind import ATTACHMENTS, GOAL_FIELDS, GOALS, TASK_FIELDS, TASKS
from shidian.apps.plans.models import Plan, TaskStatus, Weighting
from shidian.apps.plans.services.filings import current_filing, is_editable
from shidian.apps.programmes.models import Programme
from shidian.apps.submissions.services import SubmissionConflict
from shidian.apps.submissions.states import WAITING


def _as_of(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()


def _plan(request: HttpRequest, plan_id: int) -> Plan:
    return get_scoped_or_404(
        Plan.objects.select_related("unit", "programme__unit", "batch"), request.user, pk=plan_id
    )


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def plan_index(request: HttpRequest) -> HttpResponse:
    plans = (
        Plan.objects.restrict(request.user, VIEW)
        .select_related("unit", "programme", "batch")
        .order_by("programme__name", "unit__code")[:200]
    )
    return render(request, "plans/index.html", {"plans": plans})


@login_required
def programme_plans(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = get_scoped_or_404(Programme, request.user, pk=programme_id)
    as_of = _as_of(request)
    manage = can(request.user, MANAGE, programme)
    data = selectors.programme_plans(user=request.user, programme=programme, as_of=as_of)
    return render(
        request,
        "plans/programme.html",
        {
            "programme": programme,
            "as_of": as_of,
            "manage": manage,
            "round_form": RoundForm(programme=programme) if manage else None,
            "chart": [
                {
                    "name": r.plan.unit.name,
                    "rate": r.completion.rate,
                    "scheduled": r.completion.scheduled,
                }
                for r in data["rows"]
                if r.completion
            ],
            **data,
        },
    )


@require_POST
@login_required
def round_open(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = get_scoped_or_404(Programme, request.user, pk=programme_id)
    form = RoundForm(request.POST, programme=programme)
    if not form.is_valid():
        messages.error(request, _("请检查批次和截止日期。"))
    else:
        try:
            round_obj = services.plan_round_open(
                programme=programme,
                batch=form.cleaned_data["batch"],
                user=request.user,
                deadline=form.deadline_at(),
                name=form.cleaned_data["name"],
            )
            messages.success(request, _("已发起：%(name)s") % {"name": round_obj.name})
        except ValidationError as exc:
            _errors(request, exc)
    return redirect("plans:programme", programme_id=programme.pk)


@login_required
def programme_late(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = get_scoped_or_404(Programme, request.user, pk=programme_id)
    as_of = _as_of(request)
    return render(
        request,
        "plans/late.html",
        {
            "programme": programme,
            "as_of": as_of,
            "late": selectors.late_tasks(user=request.user, programme=programme, as_of=as_of),
        },
    )


def _plan_context(request: HttpRequest, plan: Plan, rows: dict | None = None) -> dict:
    filing = current_filing(plan)
    submission = filing.submission if filing else None
    fill = bool(submission) and is_editable(filing) and can(request.user, FILL, submission)
    decide = (
        bool(submission) and submission.status in WAITING and can(request.user, MANAGE, submission)
    )
    answers = rows if rows is not None else (submission.answers if submission else {})
    goals = answers.get(GOALS, [])
    tasks = answers.get(TASKS, [])
    versions = list(plan.versions.order_by("-number"))
    return {
        "plan": plan,
        "filing": filing,
        "submission": submission,
        "fill": fill,
        "decide": decide,
        "goals": with_blank_rows(goals, GOAL_FIELDS) if fill else goals,
        "tasks": with_blank_rows(tasks, TASK_FIELDS) if fill else tasks,
        "attachments": Evidence.objects.restrict(request.user, VIEW).filter(
            submission=submission, item_code=ATTACHMENTS
        )
        if submission
        else [],
        "versions": versions,
        "may_revise": bool(versions)
        and submission is not None
        and submission.status == "accepted"
        and can(request.user, FILL, plan),
        "decide_form": DecideForm() if decide else None,
        "return_form": ReturnForm() if decide else None,
    }


@login_required
def plan_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    if request.method == "POST":
        rows = rows_from_post(request.POST)
        filing = current_filing(plan)
        if filing is None:
            raise Http404
        try:
            services.plan_save(
                plan=plan,
                user=request.user,
                answers=rows,
                base_version=int(request.POST.get("base_version") or -1),
            )
            if request.POST.get("action") == "submit":
                services.plan_submit(plan=plan, user=request.user)
                messages.success(request, _("创建方案已提交，等待项目办审核。"))
            else:
                messages.success(request, _("已保存。"))
            return redirect("plans:plan", plan_id=plan.pk)
        except PermissionDenied as exc:
            raise Http404 from exc
        except SubmissionConflict:
            messages.error(request, _("方案已被他人修改，请刷新页面后重试。"))
        except ValidationError as exc:
            _errors(request, exc)
        return render(request, "plans/plan.html", _plan_context(request, plan, rows), status=400)
    return render(request, "plans/plan.html", _plan_context(request, plan))


@require_POST
@login_required
def plan_attach(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择文件。"))
    else:
        try:
            services.plan_attach(plan=plan, user=request.user, upload=upload)
            messages.success(request, _("附件已上传。"))
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            _errors(request, exc)
    return redirect("plans:plan", plan_id=plan.pk)


@require_POST
@login_required
def plan_decide(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    try:
        if request.POST.get("action") == "approve":
            services.plan_approve(
                plan=plan, user=request.user, weighting=request.POST.get("weighting", "")
            )
            messages.success(request, _("方案已批准，基线已锁定。"))
        else:
            services.plan_return(
                plan=plan,
                user=request.user,
                note=request.POST.get("note", ""),
                base_url=request.build_absolute_uri("/"),
            )
            messages.success(request, _("方案已退回。"))
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("plans:plan", plan_id=plan.pk)


@require_POST
@login_required
def plan_revise(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    try:
        services.plan_revision_start(plan=plan, user=request.user)
        messages.success(request, _("已建立修订稿，修改后提交项目办审核。"))
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("plans:plan", plan_id=plan.pk)


@login_required
def plan_progress(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    status = 200
    if request.method == "POST":
        try:
            if "goal_code" in request.POST:
                services.goal_update_record(
                    plan=plan,
                    user=request.user,
                    goal_code=request.POST.get("goal_code", ""),
                    value=request.POST.get("value", ""),
                )
            else:
                services.task_update_record(
                    plan=plan,
                    user=request.user,
                    task_code=request.POST.get("task_code", ""),
                    status=request.POST.get("status", ""),
                    note=request.POST.get("note", ""),
                    upload=request.FILES.get("evidence"),
                )
            messages.success(request, _("进展已记录。"))
            return redirect("plans:progress", plan_id=plan.pk)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            _errors(request, exc)
            status = 400
    as_of = timezone.localdate()
    detail = selectors.plan_detail(plan=plan, as_of=as_of)
    return render(
        request,
        "plans/progress.html",
        {
            "plan": plan,
            "as_of": as_of,
            "fill": can(request.user, FILL, plan),
            "statuses": TaskStatus.choices,
            "weightings": dict(Weighting.choices),
            "task_form": TaskUpdateForm(),
            "goal_form": GoalUpdateForm(),
            **detail,
        },
        status=status,
    )


@login_required
def plan_timeline(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    as_of = timezone.localdate()
    return render(
        request,
        "plans/timeline.html",
        {"plan": plan, "as_of": as_of, **selectors.plan_detail(plan=plan, as_of=as_of)},
    )
