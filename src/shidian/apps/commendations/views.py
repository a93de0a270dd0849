"""Pages of commendations: a programme's lists, one list (nominations by category, proposals
from lower offices, the approval and the notice), the XLSX export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.commendations import selectors, services
from shidian.apps.commendations.forms import (
    CommendationForm,
    DecisionForm,
    DeclineForm,
    NominationForm,
)
from shidian.apps.commendations.models import Category, NominationStatus, Status
from shidian.apps.core.access import APPROVE, MANAGE, can
from shidian.apps.programmes.selectors import programme_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@login_required
def commendation_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_for(user=request.user, programme_id=programme_id)
    manage = can(request.user, MANAGE, programme)
    form = CommendationForm(
        request.POST or None,
        initial={"title": _("%(programme)s通报表彰") % {"programme": programme.name}},
    )
    status = 200
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                found = services.commendation_create(
                    by=request.user, programme=programme, title=form.cleaned_data["title"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("commendations:detail", commendation_id=found.pk)
        status = 400
    return render(
        request,
        "commendations/list.html",
        {
            "programme": programme,
            "commendations": selectors.commendations_for(user=request.user, programme=programme),
            "manage": manage,
            "form": form if manage else None,
        },
        status=status,
    )


def _context(request: HttpRequest, commendation, **forms) -> dict:
    user = request.user
    manage = can(user, MANAGE, commendation)
    rows = list(selectors.nominations_for(user=user, commendation=commendation))
    groups = []
    for value, label in Category.choices:
        included = [
            n for n in rows if n.category == value and n.status == NominationStatus.INCLUDED
        ]
        groups.append({"category": value, "label": label, "rows": included})
    propose = services.may_propose(user, commendation) and commendation.editable
    units = selectors.nomination_units(user=user, programme=commendation.programme)
    return {
        "commendation": commendation,
        "programme": commendation.programme,
        "Status": Status,
        "groups": groups,
        "included": sum(len(g["rows"]) for g in groups),
        "proposed": [n for n in rows if n.status == NominationStatus.PROPOSED],
        "declined": [n for n in rows if n.status == NominationStatus.DECLINED],
        "manage": manage,
        "approve": can(user, APPROVE, commendation),
        "propose": propose,
        "passed": services.passed_units(commendation.programme),
        "returned": services.last_return(commendation),
        "nomination_form": forms.get("nomination_form")
        or ((manage or propose) and commendation.editable and NominationForm(units=units))
        or None,
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "decline_form": DeclineForm(),
        "errors": forms.get("errors", []),
    }


@login_required
def commendation_detail(request: HttpRequest, commendation_id: int) -> HttpResponse:
    commendation = selectors.commendation_for(user=request.user, commendation_id=commendation_id)
    return render(request, "commendations/detail.html", _context(request, commendation))


@login_required
@require_POST
def nominate(request: HttpRequest, commendation_id: int) -> HttpResponse:
    commendation = selectors.commendation_for(user=request.user, commendation_id=commendation_id)
    units = selectors.nomination_units(user=request.user, programme=commendation.programme)
    form = NominationForm(request.POST, units=units)
    if form.is_valid():
        data = form.cleaned_data
        try:
            nomination = services.nomination_add(
                by=request.user,
                commendation=commendation,
                category=data["category"],
                unit=data["unit"],
                name=data["name"],
                role=data["role"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if nomination.status == NominationStatus.PROPOSED:
                messages.success(request, _("已推荐，等待项目办公室采纳。"))
            else:
                messages.success(request, _("已列入表彰名单。"))
            return redirect("commendations:detail", commendation_id=commendation.pk)
    context = _context(request, commendation, nomination_form=form)
    return render(request, "commendations/detail.html", context, status=400)


@login_required
@require_POST
def nomination_decide(request: HttpRequest, nomination_id: int) -> HttpResponse:
    nomination = selectors.nomination_for(
        user=request.user, nomination_id=nomination_id, action=MANAGE
    )
    commendation = nomination.commendation
    form = DeclineForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.nomination_decide(
            by=request.user,
            nomination=nomination,
            include=request.POST.get("decision") == "include",
            note=note,
        )
    except ValidationError as exc:
        context = _context(request, commendation, errors=_errors(exc))
        return render(request, "commendations/detail.html", context, status=400)
    return redirect("commendations:detail", commendation_id=commendation.pk)


@login_required
@require_POST
def submit(request: HttpRequest, commendation_id: int) -> HttpResponse:
    commendation = selectors.commendation_for(
        user=request.user, commendation_id=commendation_id, action=MANAGE
    )
    form = DecisionForm(request.POST)
    try:
        note = form.cleaned_data["comment"] if form.is_valid() else ""
        services.commendation_submit(by=request.user, commendation=commendation, note=note)
    except ValidationError as exc:
        context = _context(request, commendation, errors=_errors(exc))
        return render(request, "commendations/detail.html", context, status=400)
    messages.success(request, _("已提交领导小组审批。"))
    return redirect("commendations:detail", commendation_id=commendation.pk)


@login_required
@require_POST
def decide(request: HttpRequest, commendation_id: int) -> HttpResponse:
    commendation = selectors.commendation_for(
        user=request.user, commendation_id=commendation_id, action=APPROVE
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        context = _context(request, commendation, decision_form=form)
        return render(request, "commendations/detail.html", context, status=400)
    comment = form.cleaned_data["comment"]
    try:
        if request.POST.get("decision") == "approve":
            services.commendation_approve(
                by=request.user, commendation=commendation, comment=comment
            )
            messages.success(request, _("已批准，表彰通报已生成。"))
        else:
            services.commendation_return(
                by=request.user, commendation=commendation, comment=comment
            )
            messages.success(request, _("已退回项目办公室修改。"))
    except ValidationError as exc:
        context = _context(request, commendation, decision_form=form, errors=_errors(exc))
        return render(request, "commendations/detail.html", context, status=400)
    return redirect("commendations:detail", commendation_id=commendation.pk)


@login_required
def export(request: HttpRequest, commendation_id: int) -> HttpResponse:
    from shidian.apps.campaigns.exports import table_xlsx

    commendation = selectors.commendation_for(
        user=request.user, commendation_id=commendation_id, action=MANAGE
    )
    headers = [
        _("类别"),
        _("单位代码"),
        _("单位"),
        _("团队名称或个人姓名"),
        _("职务"),
        _("推荐理由"),
        _("推荐单位"),
        _("状态"),
    ]
    rows = [
        [
            n.get_category_display(),
            n.unit.code,
            n.unit.name,
            n.name,
            n.role,
            n.reason,
            n.proposed_by_unit.name if n.proposed_by_unit else "",
            n.get_status_display(),
        ]
        for n in selectors.nominations_for(user=request.user, commendation=commendation)
    ]
    body = table_xlsx(_("表彰名单"), headers, rows)
    response = HttpResponse(body, content_type=XLSX)
    filename = f"commendation-{commendation.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
