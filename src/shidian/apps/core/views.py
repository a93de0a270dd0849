from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shidian.apps.core import selectors
from shidian.apps.core.access import MANAGE, action_required
from shidian.apps.core.audit import action_choices, action_label


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page, fitted to the role: county, zone, school or the expert's unit."""
    data = selectors.home_data(user=request.user)
    for event in data.events:
        event.action_label = action_label(event.action)
    return render(request, "core/home.html", {"home": data, "unit": data.unit})


@action_required(MANAGE)
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    """The audit log of the viewer's subtree, for programme-office staff."""
    action = request.GET.get("action", "")
    q = request.GET.get("q", "").strip()[:100]
    events = selectors.audit_events(viewer=request.user, action=action, q=q)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    for event in page:
        event.action_label = action_label(event.action)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit.html",
        {
            "page": page,
            "action": action,
            "q": q,
            "actions": action_choices(),
            "query": query.urlencode(),
        },
    )


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: answers without a session and says nothing about data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the app's styled refusal instead of Django's English page.

    Most often a form left open past its session, or opened before logging in again; the page
    says nothing was saved and how to retry. The reason itself is logged by Django.
    """
    context = {"no_cookie": reason == REASON_NO_CSRF_COOKIE}
    return render(request, "403_csrf.html", context, status=403)
