"""Pages of the organisation tree. Thin: scoping, forms and rendering; the work is in services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import MANAGE, may
from shidian.apps.core.scoping import get_scoped_or_404, scope_root
from shidian.apps.orgs import selectors
from shidian.apps.orgs.exporting import export_filename, export_units, template_workbook
from shidian.apps.orgs.forms import UnitFilterForm, UnitImportForm, UnitMoveForm
from shidian.apps.orgs.imports import UnitImportError, import_apply, import_preview
from shidian.apps.orgs.messages import problem_text
from shidian.apps.orgs.models import ImportBatch, ImportStatus, OrgUnit
from shidian.apps.orgs.services import UnitMoveError, unit_move
from shidian.apps.orgs.unitfile import UnitFileError
from shidian.apps.orgs.unitrows import CLEAR_MARKERS

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_manager(request: HttpRequest) -> None:
    if not may(request.user, MANAGE):
        raise PermissionDenied


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    form = UnitFilterForm(request.GET or None, user=request.user)
    units = selectors.unit_search(user=request.user, filters=form.filters())
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    context = {
        "form": form,
        "page": page,
        "query": urlencode(query),
        "can_manage": may(request.user, MANAGE),
    }
    template = "orgs/unit_list.html#results" if request.htmx else "orgs/unit_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_scoped_or_404(OrgUnit, request.user, pk=unit_id)
    by_type = selectors.counts_by_school_type(unit=unit)
    context = {
        "unit": unit,
        "crumbs": selectors.breadcrumbs(unit=unit, user=request.user),
        "children": selectors.unit_children(unit=unit)[:200],
        "children_count": unit.children.count(),
        "by_type": by_type,
        "schools": sum(t.count for t in by_type),
        "by_locality": selectors.counts_by_locality(unit=unit),
        "subtree_size": selectors.subtree_size(unit=unit),
        "can_move": may(request.user, MANAGE) and unit != scope_root(request.user),
    }
    return render(request, "orgs/unit_detail.html", context)


@login_required
def unit_move_view(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_scoped_or_404(OrgUnit, request.user, pk=unit_id)
    _require_manager(request)
    form = UnitMoveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            unit_move(
                unit=unit,
                new_parent=form.cleaned_data["parent_code"],
                actor=request.user,
                request=request,
            )
        except UnitMoveError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已移动“%(name)s”及其下级单位。") % {"name": unit.name})
            return redirect("orgs:detail", unit_id=unit.pk)
    targets = selectors.move_targets(unit=unit, user=request.user)
    return render(request, "orgs/unit_move.html", {"unit": unit, "form": form, "targets": targets})


@login_required
def unit_export(request: HttpRequest) -> HttpResponse:
    form = UnitFilterForm(request.GET or None, user=request.user)
    units = selectors.unit_search(user=request.user, filters=form.filters())
    return _xlsx(export_units(units), export_filename(scope_root(request.user)))


@login_required
def unit_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(template_workbook(), "units-template.xlsx")


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = UnitImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = import_preview(actor=request.user, filename=upload.name, data=upload.read())
        except UnitFileError as exc:
            form.add_error("file", problem_text(exc.code, exc.params))
        else:
            return redirect("orgs:import_review", batch_id=batch.pk)
    recent = ImportBatch.objects.restrict(request.user).select_related("created_by")[:10]
    context = {"form": form, "recent": recent, "clear_marker": CLEAR_MARKERS[0]}
    return render(request, "orgs/import_upload.html", context)


@login_required
def import_review(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_scoped_or_404(ImportBatch, request.user, pk=batch_id)
    _require_manager(request)
    show = request.GET.get("show", "")
    rows = batch.plan
    if show in {"create", "update", "error", "unchanged"}:
        rows = [r for r in rows if r["action"] == show]
    else:
        show = ""
        # Rejected rows first: they are what a person must act on.
        rows = sorted(rows, key=lambda r: (r["action"] != "error", r["line"]))
    page = Paginator(rows, 200).get_page(request.GET.get("page"))
    for row in page.object_list:
        row["messages"] = [problem_text(code, params) for code, params in row["errors"]]
    counts = batch.notes.get("counts", {})
    context = {
        "batch": batch,
        "page": page,
        "show": show,
        "counts": counts,
        "can_apply": batch.status == ImportStatus.PENDING and not counts.get("error"),
        "nothing_to_do": not counts.get("create") and not counts.get("update"),
    }
    return render(request, "orgs/import_review.html", context)


@login_required
@require_POST
def import_apply_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_scoped_or_404(ImportBatch, request.user, pk=batch_id)
    _require_manager(request)
    try:
        result = import_apply(batch=batch, actor=request.user, request=request)
    except UnitImportError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("orgs:import_review", batch_id=batch.pk)
    messages.success(
        request,
        _("导入完成：新建 %(created)d 个，修改 %(updated)d 个，未变 %(unchanged)d 个。") % result,
    )
    return redirect("orgs:list")
