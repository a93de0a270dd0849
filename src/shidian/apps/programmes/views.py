"""Programme pages: list, create, edit, the cockpit, participants and one unit's history.

Views parse the request, look objects up through the scoping selectors (404 outside the
subtree), check MANAGE through ``access`` (403), call a service and render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import get_scoped_or_404
from shidian.apps.core.replica import replica_reads
from shidian.apps.programmes import access, selectors, services, states
from shidian.apps.programmes.forms import (
    CycleFormSet,
    MoveForm,
    PhaseFormSet,
    ProgrammeForm,
    cycle_inputs,
    initial_cycles,
    initial_phases,
    initial_programme,
    phase_inputs,
)
from shidian.apps.programmes.models import Participation, ParticipationState

PAGE = 50


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programmes/list.html",
        {
            "programmes": selectors.programmes_for(user=request.user),
            "may_create": access.may_create(request.user) and request.user.unit_id,
        },
    )


def _forms(request: HttpRequest, *, unit: Any, programme: Any = None):
    data = request.POST if request.method == "POST" else None
    form = ProgrammeForm(
        data,
        user=request.user,
        unit=unit,
        initial=initial_programme(programme) if programme else None,
    )
    phases = PhaseFormSet(data, prefix="phases", initial=initial_phases(programme))
    cycles = CycleFormSet(data, prefix="cycles", initial=initial_cycles(programme))
    return form, phases, cycles


def _save(request: HttpRequest, form, phases, cycles, *, programme: Any = None):
    """Call the service with the parsed rows; its refusals go on the form (nothing saved)."""
    if not (form.is_valid() and phases.is_valid() and cycles.is_valid()):
        return None
    cycle_rows, problems = cycle_inputs(cycles)
    if problems:
        form.add_error(None, problems)
        return None
    fields = dict(form.cleaned_data)
    try:
        if programme is None:
            return services.programme_create(
                by=request.user,
                unit=request.user.unit,
                phases=phase_inputs(phases),
                cycles=cycle_rows,
                **fields,
            )
        return services.programme_update(
            by=request.user,
            programme=programme,
            phases=phase_inputs(phases),
            cycles=cycle_rows,
            **fields,
        )
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return None


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    if not access.may_create(request.user) or request.user.unit is None:
        raise PermissionDenied
    form, phases, cycles = _forms(request, unit=request.user.unit)
    if request.method == "POST":
        programme = _save(request, form, phases, cycles)
        if programme is not None:
            messages.success(request, _("试点项目已创建。"))
            return redirect("programmes:detail", programme_id=programme.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "phases": phases, "cycles": cycles, "programme": None}
    return render(request, "programmes/form.html", context, status=status)


@login_required
def programme_edit(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = selectors.programme_for(user=request.user, programme_id=programme_id)
    access.require_manage(request.user, programme)
    form, phases, cycles = _forms(request, unit=programme.unit, programme=programme)
    saved = request.method == "POST" and _save(request, form, phases, cycles, programme=programme)
    if saved:
        messages.success(request, _("已保存。"))
        return redirect("programmes:detail", programme_id=programme.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "phases": phases, "cycles": cycles, "programme": programme}
    return render(request, "programmes/form.html", context, status=status)


@login_required
@replica_reads
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The office's cockpit."""
    user = request.user
    programme = selectors.programme_for(user=user, programme_id=programme_id)
    manage = access.can_manage(user, programme)
    now = timezone.now()
    counts = selectors.status_counts(user=user, programme=programme)
    context = {
        "programme": programme,
        "manage": manage,
        "timeline": selectors.timeline(programme),
        "counts": counts,
        "total": sum(c["n"] for c in counts),
        "batches": selectors.batch_progress(user=user, programme=programme),
        "due": selectors.due_this_week(user=user, programme=programme, now=now),
        "late": selectors.late_by_zone(user=user, programme=programme, now=now),
        "campaigns": selectors.programme_campaigns(user=user, programme=programme),
        "documents": selectors.programme_documents(user=user, programme=programme)[:20],
        "links": selectors.lifecycle_links(programme, manage=manage),
        "now": now,
    }
    context["late_total"] = selectors.late_sheets(user=user, programme=programme, now=now).count()
    context["late_more"] = context["late_total"] - sum(z.n for z in context["late"])
    return render(request, "programmes/detail.html", context)


@login_required
def participant_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = selectors.programme_for(user=request.user, programme_id=programme_id)
    filters = {
        "state": request.GET.get("state", ""),
        "batch": request.GET.get("batch", ""),
        "zone": request.GET.get("zone", ""),
        "q": request.GET.get("q", "").strip()[:100],
    }
    rows = selectors.participant_rows(user=request.user, programme=programme, **filters)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "programmes/participants.html"
    return render(
        request,
        f"{template}#results" if request.htmx else template,
        {
            "programme": programme,
            "page": page,
            "filters": filters,
            "states": ParticipationState.choices,
            "cycles": programme.cycles.order_by("number"),
            "zones": selectors.zones_of(user=request.user, programme=programme),
            "query": query.urlencode(),
            "manage": access.can_manage(request.user, programme),
        },
    )


def _participation(request: HttpRequest, programme_id: int, participation_id: int):
    # The programme must be visible too: a zone reads its schools' rows, not the programme.
    selectors.programme_for(user=request.user, programme_id=programme_id)
    qs = Participation.objects.select_related("unit", "batch", "programme__unit")
    return get_scoped_or_404(qs, request.user, pk=participation_id, programme_id=programme_id)


def _move_choices(participation: Participation) -> list[tuple[str, str]]:
    labels = dict(ParticipationState.choices)
    return [(s.value, labels[s.value]) for s in states.targets(participation.state)]


@login_required
def participation_detail(
    request: HttpRequest, programme_id: int, participation_id: int
) -> HttpResponse:
    participation = _participation(request, programme_id, participation_id)
    programme = participation.programme
    manage = access.can_manage(request.user, programme)
    choices = _move_choices(participation)
    form = MoveForm(request.POST or None, programme=programme, choices=choices)
    if request.method == "POST":
        access.require_manage(request.user, programme)
        if form.is_valid():
            try:
                services.participation_move(
                    by=request.user,
                    participation=participation,
                    to=form.cleaned_data["to"],
                    batch=form.cleaned_data["batch"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("状态已变更。"))
                return redirect(
                    "programmes:participation",
                    programme_id=programme.pk,
                    participation_id=participation.pk,
                )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "programmes/participation.html",
        {
            "programme": programme,
            "participation": participation,
            "events": selectors.history(participation=participation),
            "form": form if manage and choices else None,
        },
        status=status,
    )


@login_required
@require_POST
def programme_sync(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = selectors.programme_for(user=request.user, programme_id=programme_id)
    access.require_manage(request.user, programme)
    created = services.participation_sync(programme=programme, by=request.user)
    messages.success(request, _("已更新参与范围：新增 %(n)s 个单位。") % {"n": created})
    return redirect("programmes:participants", programme_id=programme.pk)
