"""The office's exchange page: upload a file, try it (dry run, nothing written), then import
it; download an export. The uploaded file waits between the two steps in storage as a
PendingUpload whose id the person's session holds (a daily job deletes those never confirmed).
A file of many rows is imported as a Run."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.exchange import formats
from shidian.apps.exchange.forms import ExportForm, ImportForm
from shidian.apps.exchange.models import PendingUpload
from shidian.apps.exchange.services import imports
from shidian.apps.exchange.summary import REASONS

SESSION_KEY = "exchange_upload"
MAX_BYTES = 64 * 1024 * 1024
# More rows than this are imported in the background (a Run), not during the request.
RUN_ROWS = 20_000


def _page(request: HttpRequest, *, form=None, summary=None, pending=None, status=200):
    context = {
        "form": form or ImportForm(),
        "export_form": ExportForm(),
        "summary": summary,
        "pending": pending,
        "reasons": sorted(REASONS.items()),
    }
    return render(request, "exchange/page.html", context, status=status)


def _pending(request: HttpRequest) -> PendingUpload | None:
    """The person's own upload waiting for step 2, if its file is still there."""
    upload_id = request.session.get(SESSION_KEY)
    if not isinstance(upload_id, int):
        return None
    found = PendingUpload.objects.filter(  # scoping: ok the person's own upload, by id
        pk=upload_id, user=request.user
    ).first()
    if found is None or not found.file.storage.exists(found.file.name):
        return None
    return found


def _forget(request: HttpRequest) -> None:
    upload_id = request.session.pop(SESSION_KEY, None)
    if not isinstance(upload_id, int):
        return
    found = PendingUpload.objects.filter(  # scoping: ok the person's own upload, by id
        pk=upload_id, user=request.user
    ).first()
    if found is not None:
        found.file.delete(save=False)
        found.delete()


@login_required
def exchange_page(request: HttpRequest) -> HttpResponse:
    return _page(request, pending=_pending(request))


@login_required
@require_POST
def exchange_try(request: HttpRequest) -> HttpResponse:
    """Step 1: check the file (dry run) and keep it for step 2."""
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form=form, status=422)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_BYTES:
        form.add_error("file", _("文件过大，请分批导入。"))
        return _page(request, form=form, status=422)
    data = upload.read()
    dataset = imports.DATASETS[form.cleaned_data["dataset"]]
    fmt = formats.detect(data=data, content_type=upload.content_type or "", filename=upload.name)
    strategy = form.cleaned_data["strategy"]
    try:
        summary = imports.exchange_import(
            user=request.user, dataset=dataset, data=data, fmt=fmt, strategy=strategy, dry_run=True
        )
    except formats.FormatError as exc:
        form.add_error("file", exc.message)
        return _page(request, form=form, status=422)
    _forget(request)
    pending = PendingUpload(
        user=request.user,
        name=(upload.name or "")[:200],
        dataset=dataset.name,
        format=fmt,
        strategy=strategy,
        rows=summary["total"],
    )
    pending.file.save(f"upload.{fmt}", ContentFile(data), save=True)
    request.session[SESSION_KEY] = pending.pk
    return _page(request, form=form, summary=summary, pending=pending)


@login_required
@require_POST
def exchange_apply(request: HttpRequest) -> HttpResponse:
    """Step 2: import the file that was tried (re-checked: the data may have moved since)."""
    pending = _pending(request)
    if pending is None:
        messages.error(request, _("请先上传文件并试导入。"))
        return redirect("exchange:page")
    with pending.file.open("rb") as handle:
        data = handle.read()
    dataset = imports.DATASETS[pending.dataset]
    options = {
        "user": request.user,
        "dataset": dataset,
        "data": data,
        "fmt": pending.format,
        "strategy": pending.strategy,
        "dry_run": False,
    }
    try:
        if pending.rows > RUN_ROWS:
            run = imports.exchange_import_start(**options)
            _forget(request)
            return redirect("runs:detail", run_id=run.pk)
        summary = imports.exchange_import(**options)
    except (formats.FormatError, imports.ImportRefused) as exc:
        _forget(request)
        messages.error(request, exc.message)
        return redirect("exchange:page")
    _forget(request)
    return _page(request, summary=summary)


@login_required
def exchange_export(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.GET)
    if not form.is_valid():
        return _page(request, status=422)
    dataset = imports.DATASETS[form.cleaned_data["dataset"]]
    key, unit = form.cleaned_data["key"], form.cleaned_data["unit"].strip()
    if dataset.name == "report-values":
        filters = {"form_id": key, "unit_code": unit}
    else:
        filters = {"campaign_id": key, "unit_code": unit}
    rows = imports.exchange_export(user=request.user, dataset=dataset, filters=filters)
    fmt = form.cleaned_data["format"]
    data = imports.export_bytes(dataset=dataset, rows=rows, fmt=fmt)
    kind = "text/csv; charset=utf-8" if fmt == formats.CSV else "application/json"
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{dataset.name}.{fmt}"'
    return response


app_name = "exchange"
urlpatterns = [
    path("", exchange_page, name="page"),
    path("try/", exchange_try, name="try"),
    path("apply/", exchange_apply, name="apply"),
    path("export/", exchange_export, name="export"),
]
