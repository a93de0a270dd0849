"""Indicator pages: the list and the definition form, one indicator's pivot, the coverage
table by school type, and balance between schools. Thin: figures come from selectors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, VIEW, can, get_scoped_or_404
from shidian.apps.indicators import balance, exports, selectors, services
from shidian.apps.indicators.attributes import SPECS, Attribute
from shidian.apps.indicators.forms import IndicatorForm
from shidian.apps.indicators.models import Indicator, Source
from shidian.apps.indicators.policies import is_analyst

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def analyst_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; a school coordinator, community lead or expert gets a styled 403 on the
    pages without an object, and 404 on an indicator (missing and forbidden look the same)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_analyst(request.user) or selectors.scope_unit(request.user) is None:
            if kwargs:
                raise Http404
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _dimension(raw: str | None, allowed: tuple[str, ...], default: str | None) -> str | None:
    return raw if raw in allowed else default


@analyst_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    unit = selectors.scope_unit(user)
    rows = Indicator.objects.restrict(user, VIEW).select_related(
        "unit", "programme", "report_field"
    )
    return render(
        request,
        "indicators/list.html",
        {"indicators": rows, "can_define": can(user, MANAGE, unit), "unit": unit},
    )


@analyst_required
def indicator_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    unit = selectors.scope_unit(user)
    if not can(user, MANAGE, unit):
        raise PermissionDenied
    form = IndicatorForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                indicator = services.indicator_create(by=user, unit=unit, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已创建指标。"))
                return redirect("indicators:pivot", indicator_id=indicator.pk)
        status = 400
    return render(request, "indicators/form.html", {"form": form, "unit": unit}, status=status)


@analyst_required
def indicator_pivot(request: HttpRequest, indicator_id: int) -> HttpResponse:
    user = request.user
    indicator = get_scoped_or_404(
        Indicator.objects.select_related("unit", "report_field__form"), user, VIEW, pk=indicator_id
    )
    within = selectors.resolve_within(user, request.GET.get("within"), floor=indicator.unit)
    is_attr = indicator.source == Source.ATTRIBUTE
    allowed = selectors.UNIT_DIMENSIONS if is_attr else selectors.REPORT_DIMENSIONS
    rows = _dimension(request.GET.get("rows"), allowed, "school_type")
    columns = _dimension(request.GET.get("columns"), allowed, None if is_attr else "period")
    if columns == rows:
        columns = None
    periods: list[Any] = []
    all_periods: list[Any] = []
    if is_attr:
        table = selectors.attribute_table(
            indicator.attribute, within=within, rows=rows, columns=columns
        )
    else:
        all_periods = list(indicator.report_field.form.periods.order_by("starts_on", "pk"))
        periods = selectors.indicator_periods(
            indicator, request.GET.get("from"), request.GET.get("to")
        )
        table = selectors.field_table(
            indicator, periods=periods, within=within, rows=rows, columns=columns
        )
    labels = selectors.dimension_labels()
    if request.GET.get("format") == "xlsx":
        headers, body = exports.table_rows(table, row_title=labels[rows])
        return _xlsx(
            exports.sheets_xlsx([(indicator.name, headers, body)]), f"indicator-{indicator.pk}.xlsx"
        )
    context = {
        "indicator": indicator,
        "table": table,
        "grid": table.grid(),
        "single": len(table.columns) == 1 and table.columns[0][0] == "",
        "chart": table.chart(indicator.name),
        "rows": rows,
        "columns": columns or "",
        "dimensions": [(d, labels[d]) for d in allowed],
        "within": within,
        "within_choices": selectors.within_choices(user),
        "all_periods": all_periods,
        "first": periods[0].key if periods else "",
        "last": periods[-1].key if periods else "",
        "unit_label": selectors.indicator_unit_label(indicator),
        "query": request.GET.urlencode(),
    }
    return render(request, "indicators/pivot.html", context)


@analyst_required
def coverage(request: HttpRequest) -> HttpResponse:
    """The prefecture's table: of N schools of a type M had fibre (share), and classrooms with
    multimedia, by school type (or locality, zone, county), with a total row."""
    user = request.user
    within = selectors.resolve_within(user, request.GET.get("within"))
    rows = _dimension(request.GET.get("rows"), selectors.UNIT_DIMENSIONS, "school_type")
    fibre = selectors.attribute_table(Attribute.FIBRE, within=within, rows=rows)
    multimedia = selectors.attribute_table(Attribute.MULTIMEDIA, within=within, rows=rows)
    labels = selectors.dimension_labels()
    fibre_what = [_("学校数"), _("光纤接入")]
    mm_what = [_("教室总数"), _("多媒体教室")]
    if request.GET.get("format") == "xlsx":
        h1, b1 = exports.coverage_rows(fibre, row_title=labels[rows], what=fibre_what)
        h2, b2 = exports.coverage_rows(multimedia, row_title=labels[rows], what=mm_what)
        sheets = [(_("光纤接入"), h1, b1), (_("多媒体教室"), h2, b2)]
        return _xlsx(exports.sheets_xlsx(sheets), f"coverage-{within.code}.xlsx")
    chart = {
        "labels": [label for _k, label in fibre.rows],
        "series": [
            {
                "name": str(Attribute.FIBRE.label),
                "data": [_share(fibre, k) for k, _l in fibre.rows],
            },
            {
                "name": str(Attribute.MULTIMEDIA.label),
                "data": [_share(multimedia, k) for k, _l in fibre.rows],
            },
        ],
        "percent": True,
        "title": _("覆盖率"),
    }
    context = {
        "fibre": fibre,
        "multimedia": multimedia,
        "fibre_what": fibre_what,
        "mm_what": mm_what,
        "chart": chart,
        "rows": rows,
        "row_title": labels[rows],
        "dimensions": [(d, labels[d]) for d in selectors.UNIT_DIMENSIONS],
        "within": within,
        "within_choices": selectors.within_choices(user),
        "query": request.GET.urlencode(),
    }
    return render(request, "indicators/coverage.html", context)


def _share(table: selectors.Table, key: str) -> float | None:
    fig = table.totals.get(key)
    return None if fig is None or fig.value is None else round(fig.value, 1)


@analyst_required
def balance_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    within = selectors.resolve_within(user, request.GET.get("within"))
    choices = balance.measure_choices(user)
    keys = [k for k, _l in choices]
    measure = request.GET.get("measure") if request.GET.get("measure") in keys else keys[0]
    thresholds, errors = _thresholds(request)
    counties = balance.county_balance(
        user=user, within=within, measure=measure, thresholds=thresholds
    )
    return render(
        request,
        "indicators/balance.html",
        {
            "counties": counties,
            "measure": measure,
            "measures": choices,
            "within": within,
            "within_choices": selectors.within_choices(user),
            "thresholds": thresholds,
            "threshold_errors": errors,
            "specs": SPECS,
        },
        status=400 if errors else 200,
    )


def _thresholds(request: HttpRequest) -> tuple[dict[str, float], list[str]]:
    from shidian.engine.balance import JUNIOR, PRIMARY, THRESHOLDS

    found = dict(THRESHOLDS)
    errors = []
    for level, param in ((PRIMARY, "t_primary"), (JUNIOR, "t_junior")):
        raw = (request.GET.get(param) or "").strip()
        if not raw:
            continue
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not 0 < value <= 5:
            errors.append(_("差异系数标准须是 0 到 5 之间的数：%(value)s") % {"value": raw})
        else:
            found[level] = value
    return found, errors
