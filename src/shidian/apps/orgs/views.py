"""Pages of the organisation tree. Thin: scoping, forms and rendering; the work is in services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import MANAGE, may
from shidian.apps.core.scoping import get_scoped_or_404, scope_root
from shidian.apps.orgs import runkinds, selectors
from shidian.apps.orgs.exporting import export_filename, export_units, template_workbook
from shidian.apps.orgs.forms import UnitFilterForm, UnitImportForm, UnitMoveForm
from shidian.apps.orgs.imports import import_preview
from shidian.apps.orgs.messages import problem_text
from shidian.apps.orgs.models import ImportBatch, ImportStatus, OrgUnit
from shidian.apps.orgs.picker import PICK_LIMIT
from shidian.apps.orgs.services import UnitMoveError, unit_move
from shidian.apps.orgs.unitfile import UnitFileError
from shidian.apps.orgs.unitrows import CLEAR_MARKERS
from shidian.apps.runs.selectors import latest_run
from shidian.apps.runs.services import run_start

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
    return render(request, "orgs/unit_move.html", {"unit": unit, "form": form})


@login_required
def unit_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as XLSX: at once when it is small, as a Run (后台任务) when large."""
    form = UnitFilterForm(request.GET or None, user=request.user)
    units = selectors.unit_search(user=request.user, filters=form.filters())
    count = units.count()
    if count <= settings.ORGS_EXPORT_INLINE_MAX:
        return _xlsx(export_units(units), export_filename(scope_root(request.user)))
    root = scope_root(request.user)
    if request.method == "POST" and root is not None:
        query = {k: v for k, v in request.GET.items() if v}
        run = run_start(runkinds.EXPORT, by=request.user, unit=root, params={"query": query})
        return redirect("runs:detail", run_id=run.pk)
    context = {
        "title": _("导出单位"),
        "explanation": _("共 %(n)d 个单位，导出需要一些时间：将在后台生成 Excel，完成后可下载。")
        % {"n": count},
        "action": request.get_full_path(),
        "back_url": reverse("orgs:list"),
    }
    return render(request, "runs/offer.html", context)


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
    run = latest_run(request.user, batch, runkinds.IMPORT)
    context = {
        "batch": batch,
        "page": page,
        "show": show,
        "counts": counts,
        "run": run,
        "can_apply": batch.status == ImportStatus.PENDING
        and not counts.get("error")
        and (run is None or not run.is_active),
        "nothing_to_do": not counts.get("create") and not counts.get("update"),
    }
    return render(request, "orgs/import_review.html", context)


@login_required
@require_POST
def import_apply_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    """Start applying the batch as a Run (10,000 units take seconds); the review page shows
    its card. The cheap refusals are said at once; the run re-validates everything."""
    batch = get_scoped_or_404(ImportBatch, request.user, pk=batch_id)
    _require_manager(request)
    if batch.status == ImportStatus.APPLIED:
        messages.error(request, _("这个文件已经导入过了。"))
    elif batch.notes.get("counts", {}).get("error"):
        messages.error(request, _("还有被拒绝的行：请修改文件后重新上传。"))
    else:
        running = latest_run(request.user, batch, runkinds.IMPORT)
        if running is None or not running.is_active:
            run_start(
                runkinds.IMPORT,
                by=request.user,
                unit=batch.unit,
                params={"batch_id": batch.pk},
                subject=batch,
            )
    return redirect("orgs:import_review", batch_id=batch.pk)


@login_required
def unit_pick(request: HttpRequest) -> HttpResponse:
    """Search-as-you-type for the unit picker: an HTML fragment of at most PICK_LIMIT units of
    the viewer's subtree (``?q=`` words, ``?levels=school,zone`` optional)."""
    levels = [lv for lv in request.GET.get("levels", "").split(",") if lv]
    hits, more = selectors.unit_pick(
        user=request.user, q=request.GET.get("q", "")[:200], levels=levels, limit=PICK_LIMIT
    )
    list_id = "".join(c for c in request.GET.get("list", "") if c.isalnum() or c in "-_")[:60]
    context = {
        "hits": hits,
        "more": more,
        "limit": PICK_LIMIT,
        "q": request.GET.get("q", "").strip(),
        "list_id": list_id or "picker",
    }
    response = render(request, "orgs/pick_results.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response
