"""Pages of runs: the list, a run's page, its card (polled by HTMX), cancel, retry, files."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shidian.apps.core.access import get_scoped_or_404
from shidian.apps.runs import presenters, selectors, services
from shidian.apps.runs.access import get_run_or_404
from shidian.apps.runs.models import RunFile, RunStatus
from shidian.apps.runs.registry import kind_choices, kind_label


def _safe(request: HttpRequest, target: str) -> bool:
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _next(request: HttpRequest, default: str) -> str:
    """Where to go back to: the page the card sits on (checked: same site only)."""
    for target in (request.POST.get("next", ""), request.GET.get("next", ""), default):
        if _safe(request, target):
            return target
    return ""


@login_required
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    runs = selectors.runs_for(request.user, kind=kind, status=status)
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "run": run,
            "kind_label": kind_label(run.kind),
            "status_label": presenters.status_label(run),
            "status_class": presenters.status_class(run),
            "percent": run.percent,
        }
        for run in page.object_list
    ]
    statuses = [*RunStatus.choices, (selectors.INTERRUPTED, _("已中断"))]
    context = {
        "page": page,
        "rows": rows,
        "kind": kind,
        "status": status,
        "kinds": kind_choices(),
        "statuses": statuses,
        "query": urlencode({k: v for k, v in (("kind", kind), ("status", status)) if v}),
    }
    return render(request, "runs/list.html", context)


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_run_or_404(request.user, run_id)
    context = {
        "run": run,
        # Reloads once the run ends, so the times and attempts below are current too.
        "card": presenters.card(
            run, user=request.user, reload=True, next_url=request.get_full_path()
        ),
        "kind_label": kind_label(run.kind),
    }
    return render(request, "runs/detail.html", context)


@login_required
@require_GET
def run_card(request: HttpRequest, run_id: int) -> HttpResponse:
    """The card alone: what HTMX polls while the run is active."""
    run = get_run_or_404(request.user, run_id)
    reload = request.GET.get("reload") == "1"
    next_url = _next(request, request.headers.get("HX-Current-URL", ""))
    context = {"card": presenters.card(run, user=request.user, reload=reload, next_url=next_url)}
    response = render(request, "runs/_run.html", context)
    if request.htmx and reload and not context["card"]["active"]:
        # The page around the card shows what the run made (downloads, a new state): reload it
        # once, now that the run has ended.
        response["HX-Refresh"] = "true"
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_POST
def run_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_run_or_404(request.user, run_id)
    services.run_cancel(run=run, by=request.user)
    messages.info(request, _("已请求取消。"))
    return redirect(_next(request, "") or run_detail_url(run.pk))


@login_required
@require_POST
def run_retry(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_run_or_404(request.user, run_id)
    try:
        services.run_retry(run=run, by=request.user)
    except services.RunNotAllowed:
        messages.error(request, _("这个任务现在不能重试。"))
    else:
        messages.info(request, _("已重新排队。"))
    return redirect(_next(request, "") or run_detail_url(run.pk))


@login_required
@require_GET
def run_file(request: HttpRequest, run_id: int, file_id: int) -> FileResponse:
    run = get_run_or_404(request.user, run_id)
    attached = get_scoped_or_404(RunFile, request.user, pk=file_id, run=run)
    return FileResponse(
        attached.file.open("rb"),
        as_attachment=True,
        filename=attached.name,
        content_type=attached.content_type,
    )


def run_detail_url(run_id: int) -> str:
    from django.urls import reverse

    return reverse("runs:detail", kwargs={"run_id": run_id})
