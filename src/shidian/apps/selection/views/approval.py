"""The selection's approval step: the read-only summary of the list, batches and controls; the
office submits it, the leading group approves or returns it (or reopens an approved one for an
amendment), and the office generates the public notice. Versions and the event history below.

The page is for who runs the selection (MANAGE) or approves it (APPROVE); anyone else gets 404,
even a zone that sees the selection's recommendation step: the controls are internal.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import APPROVE, MANAGE, can
from shidian.apps.selection import selectors
from shidian.apps.selection.forms_approval import DecisionForm, SubmitForm
from shidian.apps.selection.models import Selection, SelectionStatus
from shidian.apps.selection.services import approval as services
from shidian.apps.selection.services.approval_notice import batch_label, notice_generate
from shidian.apps.selection.steps import steps_of


def _selection(request: HttpRequest, selection_id: int) -> tuple[Selection, bool, bool]:
    selection = selectors.followed_selection(user=request.user, selection_id=selection_id)
    return selection, can(request.user, MANAGE, selection), can(request.user, APPROVE, selection)


def _summary(selection: Selection) -> dict[str, Any]:
    """The list by batch with each pilot's controls, as the leading group reads it."""
    placements = list(
        selection.placements.select_related("unit", "unit__zone", "cycle").order_by(
            "cycle__number", "rank", "unit__code"
        )
    )
    controls: dict[int, list[Any]] = {}
    for pair in selection.controls.select_related("control", "control__zone"):
        controls.setdefault(pair.pilot_id, []).append(pair)
    batches: dict[int, dict[str, Any]] = {}
    for p in placements:
        batch = batches.setdefault(
            p.cycle.number,
            {"label": batch_label(p.cycle.number, p.cycle.year), "target": p.cycle.target},
        )
        batch.setdefault("rows", []).append({"placement": p, "controls": controls.get(p.unit_id)})
    control_count = len({pair.control_id for pairs in controls.values() for pair in pairs})
    return {"batches": list(batches.values()), "pilots": len(placements), "controls": control_count}


def _changes(versions: list[Any]) -> dict[int, dict[str, list[str]]]:
    """Per version number, what it changed from the one before (added, removed, batch moved)."""
    changes = {}
    for newer, older in zip(versions, versions[1:], strict=False):
        was = {p["unit_id"]: p for p in older.snapshot["pilots"]}
        now = {p["unit_id"]: p for p in newer.snapshot["pilots"]}
        changes[newer.number] = {
            "added": [now[u]["name"] for u in now if u not in was],
            "removed": [was[u]["name"] for u in was if u not in now],
            "moved": [
                f"{now[u]['name']}（{was[u]['batch']} → {now[u]['batch']}）"
                for u in now
                if u in was and was[u]["batch"] != now[u]["batch"]
            ],
        }
    return changes


def _render(
    request: HttpRequest,
    selection: Selection,
    manage: bool,
    approve: bool,
    *,
    submit_form: SubmitForm | None = None,
    decision_form: DecisionForm | None = None,
    error: ValidationError | None = None,
) -> HttpResponse:
    versions = list(selection.versions.select_related("approved_by").order_by("-number"))
    for version, change in _changes(versions).items():
        next(v for v in versions if v.number == version).changes = change
    returned = services.last_event(selection, "returned")
    return render(
        request,
        "selection/approval.html",
        {
            "selection": selection,
            "programme": selection.programme,
            "steps": steps_of(selection, current="approval", with_state=False),
            "manage": manage,
            "approve": approve,
            "summary": _summary(selection),
            "versions": versions,
            "events": selection.events.select_related("by").order_by("-at", "-pk"),
            "returned": returned if selection.status == SelectionStatus.RETURNED else None,
            "submit_form": submit_form or SubmitForm(),
            "decision_form": decision_form or DecisionForm(),
            "errors": error.messages if error is not None else [],
            "notice": selection.notice,
            "notice_current": bool(
                selection.notice
                and versions
                and selection.notice.created_at >= versions[0].approved_at
            ),
            "Status": SelectionStatus,
        },
        status=400 if error is not None else 200,
    )


@login_required
def approval_page(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection, manage, approve = _selection(request, selection_id)
    return _render(request, selection, manage, approve)


@login_required
@require_POST
def approval_submit(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection, manage, approve = _selection(request, selection_id)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return _render(
            request,
            selection,
            manage,
            approve,
            submit_form=form,
            error=ValidationError(_("请检查报送说明。")),
        )
    try:
        services.selection_submit(
            by=request.user, selection=selection, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        return _render(request, selection, manage, approve, submit_form=form, error=exc)
    messages.success(request, _("已提交领导小组审批。"))
    if not selection.controls.exists():
        messages.warning(request, _("这一版没有对照学校：试点成效评估需要对照组。"))
    return redirect("selection:approval", selection_id=selection.pk)


@login_required
@require_POST
def approval_decide(request: HttpRequest, selection_id: int) -> HttpResponse:
    """Approve or return (a pending selection), or return an approved one for an amendment."""
    selection, manage, approve = _selection(request, selection_id)
    form = DecisionForm(request.POST)
    decision = request.POST.get("decision")
    if not form.is_valid() or decision not in ("approve", "return"):
        error = ValidationError(_("请选择批准或退回，并检查审批意见。"))
        return _render(request, selection, manage, approve, decision_form=form, error=error)
    comment = form.cleaned_data["comment"]
    try:
        if decision == "approve":
            version = services.selection_approve(
                by=request.user, selection=selection, comment=comment
            )
            messages.success(request, _("已批准，形成第 %(n)d 版名单。") % {"n": version.number})
        else:
            services.selection_return(by=request.user, selection=selection, comment=comment)
            messages.success(request, _("已退回项目办公室修改。"))
    except ValidationError as exc:
        return _render(request, selection, manage, approve, decision_form=form, error=exc)
    return redirect("selection:approval", selection_id=selection.pk)


@login_required
@require_POST
def approval_notice(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection, manage, approve = _selection(request, selection_id)
    try:
        document = notice_generate(by=request.user, selection=selection)
    except ValidationError as exc:
        return _render(request, selection, manage, approve, error=exc)
    messages.success(request, _("已生成通知 %(number)s。") % {"number": document.number})
    return redirect("selection:approval", selection_id=selection.pk)


@login_required
def approval_export(request: HttpRequest, selection_id: int) -> HttpResponse:
    """The list as the leading group reads it: pilots by batch, and each pilot's controls."""
    from shidian.apps.selection.exports import xlsx_response

    selection, _manage, _approve = _selection(request, selection_id)
    summary = _summary(selection)
    pilots, controls = [], []
    for batch in summary["batches"]:
        for row in batch["rows"]:
            p = row["placement"]
            pilots.append([p.cycle.number, p.cycle.year, p.rank, p.unit.code, p.unit.name])
            for pair in row["controls"] or []:
                controls.append([p.unit.code, pair.control.code, pair.control.name])
    return xlsx_response(
        "pilots",
        ["batch", "year", "rank", "id", "name"],
        pilots,
        extra=[("controls", ["pilot", "control", "control_name"], controls)],
    )


urlpatterns = [
    path("<int:selection_id>/approval/", approval_page, name="approval"),
    path("<int:selection_id>/approval/submit/", approval_submit, name="approval_submit"),
    path("<int:selection_id>/approval/decide/", approval_decide, name="approval_decide"),
    path("<int:selection_id>/approval/notice/", approval_notice, name="approval_notice"),
    path("<int:selection_id>/approval/export/", approval_export, name="approval_export"),
]
