"""Pages of supervision: a programme's league tables (per batch, per month), one table with
compute/publish and the bulletin, the 督办 list with each unit's history, and a unit's own
page (its rank, grade and 督办 record only).

Who: the tables and the 督办 list are the programme's (VIEW on the programme; compute, publish
and the bulletin are MANAGE, the office). A school sees only its own rows through ``mine``,
never the ranked table (docs/supervision.md).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import MANAGE, VIEW, can, get_scoped_or_404
from shidian.apps.core.replica import replica_reads
from shidian.apps.programmes.models import Cycle, Programme
from shidian.apps.supervision import months, selectors, services
from shidian.apps.supervision.forms import ComputeForm
from shidian.apps.supervision.models import LeagueTable
from shidian.engine.league import COMPONENTS, Rules


def _programme(request: HttpRequest, programme_id: int) -> Programme:
    return get_scoped_or_404(Programme, request.user, VIEW, pk=programme_id)


def _list(
    request: HttpRequest, programme: Programme, form: ComputeForm | None = None, errors=()
) -> HttpResponse:
    cycles = list(Cycle.objects.restrict(request.user).filter(programme=programme))
    tables = selectors.tables_of(programme, request.user)
    batches = [{"cycle": c, "tables": [t for t in tables if t.cycle_id == c.pk]} for c in cycles]
    manage = can(request.user, MANAGE, programme)
    initial = {"month": months.of(timezone.localdate())}
    return render(
        request,
        "supervision/list.html",
        {
            "programme": programme,
            "batches": batches,
            "manage": manage,
            "form": form or ComputeForm(cycles=cycles, initial=initial),
            "errors": list(errors),
        },
        status=400 if errors or (form is not None and form.errors) else 200,
    )


@login_required
def table_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    return _list(request, _programme(request, programme_id))


@login_required
@require_POST
def table_compute(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = get_scoped_or_404(Programme, request.user, MANAGE, pk=programme_id)
    cycles = list(Cycle.objects.restrict(request.user).filter(programme=programme))
    form = ComputeForm(request.POST, cycles=cycles)
    if not form.is_valid():
        return _list(request, programme, form)
    cycle = next(c for c in cycles if c.pk == form.cleaned_data["cycle"])
    try:
        table = services.league_compute(
            programme=programme,
            cycle=cycle,
            month=form.cleaned_data["month"],
            by=request.user,
            rules=form.rules(),
        )
    except ValidationError as exc:
        return _list(request, programme, form, exc.messages)
    except NotImplementedError:
        return _list(
            request,
            programme,
            form,
            [_("计划完成率或报送统计尚未上线，暂时不能计算排名。")],
        )
    messages.success(request, _("排名已计算（草稿），核对后请发布。"))
    return redirect("supervision:table", league_table_id=table.pk)


def _table_page(
    request: HttpRequest, table: LeagueTable, errors: list[str] | None = None
) -> HttpResponse:
    rows = list(table.rows.select_related("unit", "unit__zone"))
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, str(r.unit.code)))
    cases = selectors.level_by_unit(table.programme, [r.unit_id for r in rows])
    for row in rows:
        row.case = cases.get(row.unit_id)
    rules = Rules.from_json(table.weights)
    return render(
        request,
        "supervision/table.html",
        {
            "programme": table.programme,
            "table": table,
            "rows": rows,
            "rules": rules,
            "weights": [(c, round(100 * rules.weights.get(c, 0))) for c in COMPONENTS],
            "month_label": months.label(table.month),
            "manage": can(request.user, MANAGE, table),
            "bulletin": table.bulletin,
            "missing_any": any(r.missing for r in rows),
            "errors": errors or [],
        },
        status=400 if errors else 200,
    )


@login_required
@replica_reads
def table_detail(request: HttpRequest, league_table_id: int) -> HttpResponse:
    table = get_scoped_or_404(
        LeagueTable.objects.select_related("programme", "cycle", "bulletin"),
        request.user,
        VIEW,
        pk=league_table_id,
    )
    return _table_page(request, table)


@login_required
@require_POST
def table_publish(request: HttpRequest, league_table_id: int) -> HttpResponse:
    table = get_scoped_or_404(LeagueTable, request.user, MANAGE, pk=league_table_id)
    try:
        events = services.league_publish(table=table, by=request.user)
    except ValidationError as exc:
        return _table_page(request, table, exc.messages)
    messages.success(
        request, _("排名已发布；督办状态变化 %(n)d 项，已通知相关学校。") % {"n": len(events)}
    )
    return redirect("supervision:table", league_table_id=table.pk)


@login_required
@require_POST
def table_bulletin(request: HttpRequest, league_table_id: int) -> HttpResponse:
    table = get_scoped_or_404(LeagueTable, request.user, MANAGE, pk=league_table_id)
    try:
        document = services.bulletin_generate(table=table, by=request.user)
    except ValidationError as exc:
        return _table_page(request, table, exc.messages)
    messages.success(request, _("通报已生成：%(t)s") % {"t": document.title})
    return redirect("supervision:table", league_table_id=table.pk)


@login_required
def case_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _programme(request, programme_id)
    cases = selectors.cases_of(programme, request.user)  # each with .history
    return render(request, "supervision/cases.html", {"programme": programme, "cases": cases})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """A unit's own rank, grade and 督办 record, in every programme it is ranked in."""
    rows = selectors.own_rows(request.user)
    cases = selectors.own_cases(request.user)
    programmes: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = programmes.setdefault(
            row.table.programme_id, {"programme": row.table.programme, "rows": [], "case": None}
        )
        entry["rows"].append(row)
    for case in cases:
        entry = programmes.setdefault(
            case.programme_id, {"programme": case.programme, "rows": [], "case": None}
        )
        entry["case"] = case
        entry["history"] = list(case.events.all())
    return render(request, "supervision/mine.html", {"programmes": list(programmes.values())})
