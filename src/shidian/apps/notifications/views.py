"""Notification pages: mark all as read (the list sits on each app's own page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shidian.apps.notifications.services import notifications_mark_read


@require_POST
@login_required
def mark_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("core:home")
