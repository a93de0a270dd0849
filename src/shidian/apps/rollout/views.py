"""Pages of roll-out plans: a programme's plans, one plan (the remaining ranked candidates to
pick from, the pairs with their leads and distances, hand moves, approval), the XLSX export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import APPROVE, MANAGE, can
from shidian.apps.programmes.selectors import programme_for
from shidian.apps.rollout import jobs, selectors, services
from shidian.apps.rollout.forms import DecisionForm, LeadForm, PairForm, PlanForm
from shidian.apps.rollout.models import PlanStatus
from shidian.apps.runs.selectors import latest_run

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN = 300  # candidates listed on the page; the office picks the next batch among the first


@login_required
def plan_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for(user=request.user, programme_id=programme_id)
    manage = can(request.user, MANAGE, programme)
    initial = {
        "name": _("%(programme)s推广计划") % {"programme": programme.name},
        "year": timezone.localdate().year + 1,
    }
    form = PlanForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                plan = services.plan_create(
                    by=request.user, programme=programme, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("rollout:detail", rollout_id=plan.pk)
        status = 400
    return render(
        request,
        "rollout/list.html",
        {
            "programme": programme,
            "plans": selectors.plans_for(user=request.user, programme=programme),
            "manage": manage,
            "form": form if manage else None,
        },
        status=status,
    )


def _context(request: HttpRequest, plan, *, errors=(), pair_form=None, decision_form=None):
    rows = list(plan.schools.select_related("unit", "unit__zone", "lead"))
    leads = selectors.possible_leads(plan.programme)
    earlier = selectors.earlier_loads(plan)
    loads: dict[int, int] = {}
    for r in rows:
        if r.lead_id:
            loads[r.lead_id] = loads.get(r.lead_id, 0) + 1
    picked = {r.unit_id for r in rows}
    candidates = selectors.remaining_candidates(plan.programme) if plan.editable else []
    return {
        "plan": plan,
        "programme": plan.programme,
        "Status": PlanStatus,
        "rows": rows,
        "leads": [
            {"unit": u, "load": loads.get(u.pk, 0), "earlier": earlier.get(u.pk, 0)} for u in leads
        ],
        "pair_run": latest_run(request.user, plan, jobs.PAIR) if plan.editable else None,
        "candidates": candidates[:SHOWN],
        "more": max(len(candidates) - SHOWN, 0),
        "picked": picked,
        "selection": selectors.ranking_selection(plan.programme),
        "manage": can(request.user, MANAGE, plan),
        "approve": can(request.user, APPROVE, plan),
        "returned": services.last_return(plan),
        "total_km": round(sum(r.km or 0 for r in rows), 1),
        "pair_form": pair_form
        or PairForm(initial={"max_km": plan.max_km, "max_load": plan.max_load}),
        "lead_form": LeadForm(schools=plan.schools.select_related("unit"), leads=leads),
        "decision_form": decision_form or DecisionForm(),
        "errors": list(errors),
    }


def _page(request: HttpRequest, plan, status: int = 200, **extra) -> HttpResponse:
    return render(request, "rollout/detail.html", _context(request, plan, **extra), status=status)


@login_required
def plan_detail(request: HttpRequest, rollout_id: int) -> HttpResponse:
    return _page(request, selectors.plan_for(user=request.user, rollout_id=rollout_id))


def _managed(request: HttpRequest, rollout_id: int):
    return selectors.plan_for(user=request.user, rollout_id=rollout_id, action=MANAGE)


@login_required
@require_POST
def pick(request: HttpRequest, rollout_id: int) -> HttpResponse:
    plan = _managed(request, rollout_id)
    ids = request.POST.getlist("unit")
    top = request.POST.get("top", "").strip() or None
    try:
        if top is None and not all(str(i).isdigit() for i in ids):
            raise ValidationError(_("所选学校无效。"))
        n = services.plan_pick(
            by=request.user,
            plan=plan,
            unit_ids=[int(i) for i in ids] if top is None else None,
            top=top,
        )
    except ValidationError as exc:
        return _page(request, plan, 400, errors=exc.messages)
    messages.success(request, _("本批已选 %(n)d 所学校。") % {"n": n})
    return redirect("rollout:detail", rollout_id=plan.pk)


@login_required
@require_POST
def pair(request: HttpRequest, rollout_id: int) -> HttpResponse:
    plan = _managed(request, rollout_id)
    form = PairForm(request.POST)
    if not form.is_valid():
        return _page(request, plan, 400, pair_form=form)
    try:
        jobs.pairing_start(by=request.user, plan=plan, **form.cleaned_data)
    except ValidationError as exc:
        return _page(request, plan, 400, errors=exc.messages, pair_form=form)
    return redirect(f"{reverse('rollout:detail', kwargs={'rollout_id': plan.pk})}#pairing")


@login_required
@require_POST
def lead(request: HttpRequest, rollout_id: int) -> HttpResponse:
    plan = _managed(request, rollout_id)
    form = LeadForm(
        request.POST,
        schools=plan.schools.select_related("unit"),
        leads=selectors.possible_leads(plan.programme),
    )
    if not form.is_valid():
        errors = [e for field in form.errors.values() for e in field]
        return _page(request, plan, 400, errors=errors)
    try:
        services.plan_set_lead(
            by=request.user,
            plan=plan,
            school=form.cleaned_data["school"],
            lead=form.cleaned_data["lead"],
        )
    except ValidationError as exc:
        return _page(request, plan, 400, errors=exc.messages)
    messages.success(request, _("已调整带动试点。"))
    return redirect("rollout:detail", rollout_id=plan.pk)


@login_required
@require_POST
def submit(request: HttpRequest, rollout_id: int) -> HttpResponse:
    plan = _managed(request, rollout_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.plan_submit(by=request.user, plan=plan, note=note)
    except ValidationError as exc:
        return _page(request, plan, 400, errors=exc.messages)
    messages.success(request, _("已提交领导小组审批。"))
    return redirect("rollout:detail", rollout_id=plan.pk)


@login_required
@require_POST
def decide(request: HttpRequest, rollout_id: int) -> HttpResponse:
    plan = selectors.plan_for(user=request.user, rollout_id=rollout_id, action=APPROVE)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _page(request, plan, 400, decision_form=form)
    comment = form.cleaned_data["comment"]
    try:
        if request.POST.get("decision") == "approve":
            services.plan_approve(by=request.user, plan=plan, comment=comment)
            messages.success(request, _("已批准：本批学校已列为下一批次的试点学校。"))
        else:
            services.plan_return(by=request.user, plan=plan, comment=comment)
            messages.success(request, _("已退回项目办公室修改。"))
    except ValidationError as exc:
        return _page(request, plan, 400, errors=exc.messages, decision_form=form)
    return redirect("rollout:detail", rollout_id=plan.pk)


@login_required
def export(request: HttpRequest, rollout_id: int) -> HttpResponse:
    from shidian.apps.campaigns.exports import table_xlsx

    plan = _managed(request, rollout_id)
    headers = [
        _("名次"),
        _("学校代码"),
        _("学校"),
        _("片区"),
        _("带动试点代码"),
        _("带动试点"),
        _("距离（公里）"),
        _("手动调整"),
    ]
    rows = [
        [
            r.rank or "",
            r.unit.code,
            r.unit.name,
            r.unit.zone.name if r.unit.zone else "",
            r.lead.code if r.lead else "",
            r.lead.name if r.lead else "",
            r.km if r.km is not None else "",
            _("是") if r.by_hand else "",
        ]
        for r in plan.schools.select_related("unit", "unit__zone", "lead")
    ]
    body = table_xlsx(_("推广计划"), headers, rows)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="rollout-{plan.pk}.xlsx"'
    return response
