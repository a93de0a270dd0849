"""The selection's expert review step (专家复评): the panel, the assignment (a Run), hand moves,
progress per expert and per unit, reminders, and the XLSX downloads. Thin: parse, call
services.review, render; a refused change re-renders the page with the reason (400)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from shidian.apps.core.access import MANAGE, can
from shidian.apps.runs.selectors import latest_run
from shidian.apps.selection import selectors
from shidian.apps.selection.exports import xlsx_response
from shidian.apps.selection.forms_review import AssignForm, PanelAddForm
from shidian.apps.selection.jobs.assignment import KIND
from shidian.apps.selection.services import review as services
from shidian.apps.selection.steps import steps_of


def _cell(value: Any) -> Any:
    """A table cell for the XLSX: blank for a missing load, 3 rather than 3.0."""
    if value is None or value != value:  # None or NaN
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _int(value: Any) -> int | None:
    text = str(value or "")
    # an id the database can hold (a huge number would overflow SQLite's INTEGER: a 500)
    return int(text) if text.isascii() and text.isdigit() and int(text) < 2**63 else None


def _stale_units(selection: Any) -> list[Any]:
    """The schools still assigned to experts that the shortlist adopted now leaves out (a new
    shortlist was adopted after the assignment): their experts keep the sheet until reassigned."""
    shortlisted = selection.shortlisted.values("unit_id")
    pairs = selection.assignments.exclude(unit_id__in=shortlisted).select_related("unit")
    return sorted({p.unit for p in pairs}, key=lambda u: u.code)


def _page(
    request: HttpRequest,
    selection: Any,
    *,
    errors: list[str] | None = None,
    panel_form: PanelAddForm | None = None,
    assign_form: AssignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    manage = can(request.user, MANAGE, selection)
    progress = services.progress_of(selection)
    run = latest_run(request.user, selection, KIND)
    last_r = (run.params or {}).get("per_unit") if run else None
    loads = {row.member.user_id: row.assigned for row in progress["experts"]}
    members = [row.member for row in progress["experts"]]
    # The experts a pair may move to: on the panel, not on the unit yet, no conflict.
    for unit_row in progress["units"]:
        on_unit = {pair.expert_id for pair, _done in unit_row.pairs}
        unit_row.movable = [
            (m, loads.get(m.user_id, 0))
            for m in members
            if m.user_id not in on_unit
            and not services.conflicts(m.user.unit, unit_row.shortlisted.unit)
        ]
    if last_r is None:  # assigned without a run (the demo, a service call): what is in place
        last_r = max((len(u.pairs) for u in progress["units"]), default=0) or None
    per_unit = last_r or services.DEFAULT_PER_UNIT
    context = {
        "selection": selection,
        "programme": selection.programme,
        "steps": steps_of(selection, current="review", with_state=False),
        "manage": manage,
        "editable": manage and not selection.frozen,
        "has_shortlist": bool(selection.shortlist_id),
        "progress": progress,
        "loads": loads,
        "run": run,
        "per_unit": per_unit,
        "errors": errors or [],
        "panel_form": panel_form or (PanelAddForm(selection=selection) if manage else None),
        "assign_form": assign_form or AssignForm(initial={"per_unit": per_unit}),
        "last_reminder": services.last_reminder(selection) if manage else None,
        "behind": sum(1 for row in progress["experts"] if row.remaining > 0),
        "stale_units": _stale_units(selection),
    }
    return render(request, "selection/review.html", context, status=status)


@login_required
def review_page(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.followed_selection(user=request.user, selection_id=selection_id)
    return _page(request, selection)


@require_POST
@login_required
def review_panel(request: HttpRequest, selection_id: int) -> HttpResponse:
    """Add (``action=add``), change (``update``) or remove (``remove``) a panel member."""
    selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
    action = request.POST.get("action", "add")
    if action == "add":
        form = PanelAddForm(request.POST, selection=selection)
        if not form.is_valid():
            return _page(request, selection, panel_form=form, status=400)
        data = form.cleaned_data
        try:
            member = services.panel_add(
                by=request.user,
                selection=selection,
                user=data["user"],
                expertise=data["expertise"],
                min_load=data["min_load"],
                max_load=data["max_load"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return _page(request, selection, panel_form=form, status=400)
        messages.success(
            request, _("已把“%(name)s”加入专家组。") % {"name": member.user.display_name}
        )
        return redirect("selection:review", selection_id=selection.pk)
    member = next(
        (m for m in services.panel_of(selection) if m.pk == _int(request.POST.get("member"))),
        None,
    )
    if member is None:
        raise Http404
    try:
        if action == "remove":
            services.panel_remove(by=request.user, selection=selection, member=member)
            messages.success(
                request, _("已把“%(name)s”移出专家组。") % {"name": member.user.display_name}
            )
        elif action == "update":
            services.panel_update(
                by=request.user,
                selection=selection,
                member=member,
                expertise=request.POST.get("expertise", ""),
                min_load=request.POST.get("min_load", ""),
                max_load=request.POST.get("max_load", ""),
            )
            messages.success(request, _("已保存。"))
        else:
            raise Http404
    except ValidationError as exc:
        return _page(request, selection, errors=exc.messages, status=400)
    return redirect("selection:review", selection_id=selection.pk)


@require_POST
@login_required
def review_assign(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _page(request, selection, assign_form=form, status=400)
    try:
        services.assignment_start(
            by=request.user, selection=selection, per_unit=form.cleaned_data["per_unit"]
        )
    except ValidationError as exc:
        return _page(request, selection, errors=exc.messages, assign_form=form, status=400)
    messages.success(request, _("已开始分配评审专家。"))
    return redirect("selection:review", selection_id=selection.pk)


@require_POST
@login_required
def review_move(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
    unit_id = _int(request.POST.get("unit"))
    from_id, to_id = _int(request.POST.get("from")), _int(request.POST.get("to"))
    if unit_id is None or from_id is None:
        raise Http404
    try:
        if to_id is None:
            raise ValidationError(_("请选择调入的专家。"))
        pair = services.assignment_move(
            by=request.user,
            selection=selection,
            unit_id=unit_id,
            from_expert_id=from_id,
            to_expert_id=to_id,
        )
    except ValidationError as exc:
        return _page(request, selection, errors=exc.messages, status=400)
    messages.success(
        request,
        _("已把%(unit)s改由“%(name)s”评审。")
        % {"unit": pair.unit.name, "name": pair.expert.display_name},
    )
    return redirect("selection:review", selection_id=selection.pk)


@require_POST
@login_required
def review_remind(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
    expert = _int(request.POST.get("expert"))
    try:
        n = services.review_remind(
            by=request.user,
            selection=selection,
            expert_ids=[expert] if expert is not None else None,
        )
    except ValidationError as exc:
        return _page(request, selection, errors=exc.messages, status=400)
    messages.success(
        request, ngettext("已提醒 %(n)d 位专家。", "已提醒 %(n)d 位专家。", n) % {"n": n}
    )
    return redirect("selection:review", selection_id=selection.pk)


@login_required
def review_export(request: HttpRequest, selection_id: int) -> HttpResponse:
    """``?table=assignments`` (default), ``units`` or ``experts``: the last two are the inputs
    ``shidian assign units.xlsx experts.xlsx`` reads back; the first is its output's columns."""
    selection = selectors.manage_selection(user=request.user, selection_id=selection_id)
    table = request.GET.get("table", "assignments")
    units, experts = services.engine_frames(selection)
    if table == "units":
        return xlsx_response("units", list(units.columns), units.to_numpy().tolist())
    if table == "experts":
        rows = [[_cell(v) for v in row] for row in experts.to_numpy().tolist()]
        return xlsx_response("experts", list(experts.columns), rows)
    if table != "assignments":
        raise Http404
    progress = services.progress_of(selection)
    rows = [
        [
            pair.unit.code,
            pair.unit.name,
            pair.expert.username,
            pair.expert.display_name,
            pair.expert.unit.code if pair.expert.unit_id else "",
            services.org_label(pair.expert.unit),
            _("是") if pair.by_hand else "",
        ]
        for pair in progress["pairs"]
    ]
    headers = [
        "unit",
        "unit_name",
        "expert",
        "expert_name",
        "expert_org",
        "expert_org_name",
        "by_hand",
    ]
    return xlsx_response("assignments", headers, rows)


urlpatterns = [
    path("<int:selection_id>/review/", review_page, name="review"),
    path("<int:selection_id>/review/panel/", review_panel, name="review_panel"),
    path("<int:selection_id>/review/assign/", review_assign, name="review_assign"),
    path("<int:selection_id>/review/move/", review_move, name="review_move"),
    path("<int:selection_id>/review/remind/", review_remind, name="review_remind"),
    path("<int:selection_id>/review/export/", review_export, name="review_export"),
]
