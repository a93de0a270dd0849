"""The office's assignment page: which panel experts score which pilot (propose k a pilot, add
or take off a pair by hand). Thin: the services check and write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shidian.apps.acceptance import selectors, services
from shidian.apps.acceptance.models import Status
from shidian.apps.acceptance.services.assign import (
    assignment_pick,
    has_conflict,
    panel_of,
    submitted_pairs,
)
from shidian.apps.core.access import MANAGE, can


def _post(request: HttpRequest, acceptance) -> None:
    action = request.POST.get("action", "")
    if action == "propose":
        counts = services.assignment_propose(
            by=request.user, acceptance=acceptance, per_pilot=request.POST.get("per_pilot", "")
        )
        messages.success(
            request,
            _("已分配：每校 %(k)d 位专家，共 %(pairs)d 项（保留已提交评分的 %(kept)d 项）。")
            % {"k": counts["per_pilot"], "pairs": counts["pairs"], "kept": counts["kept"]},
        )
        return
    unit, expert = assignment_pick(
        acceptance, unit=request.POST.get("unit", ""), expert=request.POST.get("expert", "")
    )
    if action == "add":
        services.assignment_add(by=request.user, acceptance=acceptance, unit=unit, expert=expert)
        messages.success(request, _("已分配。"))
    elif action == "remove":
        services.assignment_remove(by=request.user, acceptance=acceptance, unit=unit, expert=expert)
        messages.success(request, _("已取消这项分配。"))


@login_required
def acceptance_assign(request: HttpRequest, acceptance_id: int) -> HttpResponse:
    acceptance = selectors.round_for(user=request.user, acceptance_id=acceptance_id)
    if not can(request.user, MANAGE, acceptance):
        raise PermissionDenied
    rows = selectors.pilot_rows(acceptance)
    panel = panel_of(acceptance)
    editable = acceptance.status == Status.OPEN
    if request.method == "POST" and editable:
        try:
            _post(request, acceptance)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("acceptance:assign", acceptance_id=acceptance.pk)
    submitted = submitted_pairs(acceptance)
    loads = {e.pk: 0 for e in panel}
    items = []
    for r in rows:
        chosen = {e.pk for e in r.assigned}
        for pk in chosen:
            loads[pk] = loads.get(pk, 0) + 1
        drafted = {d.reviewer_id for d in r.drafts}
        items.append({
            "row": r,
            "pairs": [
                {"expert": e, "submitted": (r.unit.pk, e.pk) in submitted,
                 "draft": e.pk in drafted}
                for e in r.assigned
            ],
            "addable": [e for e in panel if e.pk not in chosen and not has_conflict(e, r.unit)],
        })  # fmt: skip
    return render(
        request,
        "acceptance/assign.html",
        {
            "acceptance": acceptance,
            "programme": acceptance.programme,
            "items": items,
            "panel": [{"user": e, "load": loads.get(e.pk, 0)} for e in panel],
            "editable": editable,
            "by_assignment": any(r.assigned for r in rows),
        },
    )
