"""The office's completeness pages of a report form: periods with their figures and a chart,
the completeness table of one period (filters, XLSX, reminders), the period x unit matrix."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import REMIND, can
from shidian.apps.core.replica import replica_reads
from shidian.apps.core.scoping import get_scoped_or_404
from shidian.apps.orgs.models import OrgUnit
from shidian.apps.reports import exports
from shidian.apps.reports.completeness import STATUSES, period_table, unit_consistency
from shidian.apps.reports.expected import joined_on
from shidian.apps.reports.models import ReportForm, ReportPeriod
from shidian.apps.reports.services import filing
from shidian.apps.submissions.states import Status

MATRIX_PAGE = 100


def _form(request: HttpRequest, form_id: int) -> ReportForm:
    return get_scoped_or_404(
        ReportForm.objects.select_related("programme"), request.user, pk=form_id
    )


def _period(request: HttpRequest, period_id: int) -> ReportPeriod:
    return get_scoped_or_404(
        ReportPeriod.objects.select_related("form__programme", "round"), request.user, pk=period_id
    )


def _units(form, zone: str = ""):
    """The units that entered the form's audience at some time (pilots, or also controls)."""
    ids = list(joined_on(form))
    units = OrgUnit.objects.filter(pk__in=ids)  # scoping: ok the form was scoped
    if zone.isdigit():
        units = units.filter(zone_id=int(zone))
    return units.select_related("zone").order_by("zone__name", "code")


def _zones(form) -> list[tuple[int, str]]:
    ids = list(joined_on(form))
    return list(
        OrgUnit.objects.filter(  # scoping: ok the form was scoped
            pk__in=OrgUnit.objects.filter(pk__in=ids).values("zone_id")  # scoping: ok as above
        )
        .order_by("name")
        .values_list("pk", "name")
    )


def _owed_units(form, matrix) -> list:
    return [r for r in matrix.rows if any(matrix_cell for matrix_cell in r.cells)]


@login_required
@replica_reads
def comp_form(request: HttpRequest, form_id: int) -> HttpResponse:
    """Every started period with its figures, and the chart of completeness and timeliness."""
    form = _form(request, form_id)
    matrix = unit_consistency(form, _units(form))
    periods = []
    for i, period in enumerate(matrix.periods):
        cells = [r.cells[i] for r in matrix.rows]
        counts = {s: cells.count(s) for s in STATUSES}
        due = counts["on_time"] + counts["late"] + counts["missing"]
        periods.append(
            {
                "period": period,
                "counts": counts,
                "expected": due + counts["pending"],
                "completeness": (counts["on_time"] + counts["late"]) / due if due else None,
            }
        )
    periods.reverse()
    owed = _owed_units(form, matrix)
    consistent = sum(1 for r in owed if r.consistent and r.due)
    context = {
        "form": form,
        "periods": periods,
        "chart": {
            **matrix.chart(),
            "names": {"completeness": _("报送率"), "timeliness": _("及时率")},
        },
        "consistent": consistent,
        "owing": sum(1 for r in owed if r.due),
    }
    return render(request, "reports/comp_form.html", context)


@login_required
@replica_reads
def comp_period(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    zone, state = request.GET.get("zone", ""), request.GET.get("state", "")
    table = period_table(period)
    rows = table.rows
    if zone.isdigit():
        rows = [r for r in rows if r.zone_id == int(zone)]
    if state in STATUSES:
        rows = [r for r in rows if r.status == state]
    labels, names = exports.status_labels(), dict(Status.choices)
    for r in table.rows:
        r.label, r.status_name = labels[r.status], names.get(r.submission_status, "")
    context = {
        "period": period,
        "form": period.form,
        "table": table,
        "count_rows": [(s, labels[s], table.counts[s]) for s in STATUSES],
        "state_options": [(s, labels[s]) for s in STATUSES],
        "rows": rows,
        "zones": sorted({(r.zone_id, r.zone) for r in table.rows if r.zone_id}, key=lambda z: z[1]),
        "filters": {"zone": zone, "state": state},
        "labels": exports.status_labels(),
        "statuses": STATUSES,
        "can_remind": period.round_id is not None and can(request.user, REMIND, period.round),
        "reminded_at": period.round.reminded_at if period.round_id else None,
        "behind": sum(
            1
            for r in table.rows
            if r.submission_id
            and r.status in ("missing", "pending")
            and r.submission_status in filing.BEHIND
        ),
    }
    template = "reports/comp_period.html#table" if request.htmx else "reports/comp_period.html"
    return render(request, template, context)


@login_required
def comp_export(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    data = exports.period_table_xlsx(period_table(period), status_names=dict(Status.choices))
    return exports.xlsx_response(f"{period.form.name}-{period.key}", data)


@login_required
@replica_reads
def comp_matrix(request: HttpRequest, form_id: int) -> HttpResponse:
    form = _form(request, form_id)
    zone = request.GET.get("zone", "")
    page = Paginator(_units(form, zone), MATRIX_PAGE).get_page(request.GET.get("page"))
    matrix = unit_consistency(form, page.object_list)
    context = {
        "form": form,
        "matrix": matrix,
        "page": page,
        "zones": _zones(form),
        "filters": {"zone": zone},
        "query": f"zone={zone}" if zone.isdigit() else "",
        "labels": exports.status_labels(),
    }
    return render(request, "reports/comp_matrix.html", context)


@login_required
def comp_matrix_export(request: HttpRequest, form_id: int) -> HttpResponse:
    form = _form(request, form_id)
    data = exports.consistency_xlsx(unit_consistency(form, _units(form)))
    return exports.xlsx_response(f"{form.name}-{_('连续报送')}", data)


@require_POST
@login_required
def comp_remind(request: HttpRequest, period_id: int) -> HttpResponse:
    period = _period(request, period_id)
    if period.round_id is None:
        raise Http404
    try:
        count = filing.period_remind(
            period=period, user=request.user, base_url=request.build_absolute_uri("/")
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if count:
            messages.success(request, _("已提醒 %(n)s 个单位。") % {"n": count})
        else:
            messages.info(request, _("没有需要提醒的单位。"))
    return redirect("reports:comp_period", period_id=period.pk)


@require_POST
@login_required
def comp_open(request: HttpRequest, form_id: int) -> HttpResponse:
    """Open every period that has started (the daily task does the same)."""
    form = _form(request, form_id)
    try:
        count = filing.periods_open_due(form, timezone.localdate(), by=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("已为 %(n)s 个单位开启报表。") % {"n": count})
    return redirect("reports:comp_form", form_id=form.pk)


urlpatterns = [
    path("forms/<int:form_id>/completeness/", comp_form, name="comp_form"),
    path("forms/<int:form_id>/completeness/matrix/", comp_matrix, name="comp_matrix"),
    path(
        "forms/<int:form_id>/completeness/matrix.xlsx",
        comp_matrix_export,
        name="comp_matrix_export",
    ),
    path("forms/<int:form_id>/completeness/open/", comp_open, name="comp_open"),
    path("periods/<int:period_id>/completeness/", comp_period, name="comp_period"),
    path("periods/<int:period_id>/completeness.xlsx", comp_export, name="comp_export"),
    path("periods/<int:period_id>/remind/", comp_remind, name="comp_remind"),
]
