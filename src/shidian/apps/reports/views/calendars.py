"""School calendars: the list an office keeps, and one page to create or edit a calendar with
its terms and breaks as inline rows."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, action_required, can, get_scoped_or_404
from shidian.apps.reports.forms_definition import (
    BreakFormSet,
    CalendarForm,
    TermFormSet,
    break_inputs,
    initial_breaks,
    initial_terms,
    term_inputs,
)
from shidian.apps.reports.models import SchoolCalendar
from shidian.apps.reports.services import calendars as services


@action_required(MANAGE)
def calendar_list(request: HttpRequest) -> HttpResponse:
    calendars = (
        SchoolCalendar.objects.restrict(request.user, MANAGE)
        .select_related("unit")
        .prefetch_related("terms", "breaks")
    )
    may_create = request.user.unit_id is not None
    return render(
        request, "reports/cal_list.html", {"calendars": calendars, "may_create": may_create}
    )


def _forms(request: HttpRequest, calendar: SchoolCalendar | None):
    data = request.POST if request.method == "POST" else None
    form = CalendarForm(data, initial={"name": calendar.name} if calendar else None)
    terms = TermFormSet(data, prefix="terms", initial=initial_terms(calendar))
    breaks = BreakFormSet(data, prefix="breaks", initial=initial_breaks(calendar))
    return form, terms, breaks


def _save(request: HttpRequest, form, terms, breaks, calendar: SchoolCalendar | None):
    if not (form.is_valid() and terms.is_valid() and breaks.is_valid()):
        return None
    rows: dict[str, Any] = {
        "name": form.cleaned_data["name"],
        "terms": term_inputs(terms),
        "breaks": break_inputs(breaks),
    }
    try:
        if calendar is None:
            return services.calendar_create(by=request.user, unit=request.user.unit, **rows)
        return services.calendar_update(by=request.user, calendar=calendar, **rows)
    except ValidationError as exc:
        form.add_error(None, list(exc.messages))
        return None


@action_required(MANAGE)
def calendar_create(request: HttpRequest) -> HttpResponse:
    unit = request.user.unit
    if unit is None or not can(request.user, MANAGE, unit):
        raise PermissionDenied
    form, terms, breaks = _forms(request, None)
    if request.method == "POST":
        saved = _save(request, form, terms, breaks, None)
        if saved is not None:
            messages.success(request, _("校历已保存。"))
            return redirect("reports:cal_list")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "terms": terms, "breaks": breaks, "calendar": None}
    return render(request, "reports/cal_form.html", context, status=status)


@action_required(MANAGE)
def calendar_edit(request: HttpRequest, calendar_id: int) -> HttpResponse:
    calendar = get_scoped_or_404(SchoolCalendar, request.user, MANAGE, pk=calendar_id)
    form, terms, breaks = _forms(request, calendar)
    if request.method == "POST":
        saved = _save(request, form, terms, breaks, calendar)
        if saved is not None:
            messages.success(request, _("校历已保存。"))
            return redirect("reports:cal_list")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "terms": terms, "breaks": breaks, "calendar": calendar}
    return render(request, "reports/cal_form.html", context, status=status)


urlpatterns = [
    path("calendars/", calendar_list, name="cal_list"),
    path("calendars/new/", calendar_create, name="cal_create"),
    path("calendars/<int:calendar_id>/", calendar_edit, name="cal_edit"),
]
