from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shidian.apps.orgs import selectors as org_selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: the user's own unit and a summary of what lies under it."""
    unit = request.user.unit
    context = {"unit": unit, "summary": None}
    if unit is not None:
        context["summary"] = org_selectors.unit_summary(unit=unit)
    return render(request, "core/home.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: answers without a session and says nothing about data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
