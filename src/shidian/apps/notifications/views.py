"""Notification pages: the centre, preferences, and the office's push endpoints.

Views parse the request, look rows up through the scoping mechanism (a user's own
notifications; endpoints the user manages, else 404), call a service and render. The centre
renders one row as a partial for HTMX ("mark read" swaps the row and the bell's count).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import MANAGE, action_required, get_scoped_or_404
from shidian.apps.notifications import selectors
from shidian.apps.notifications.categories import categories, category_of, get_category
from shidian.apps.notifications.forms import EndpointForm, PreferencesForm
from shidian.apps.notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from shidian.apps.notifications.services import notifications_mark_read
from shidian.apps.notifications.services import webhooks as hooks
from shidian.apps.notifications.services.preferences import preferences_for, preferences_set

PAGE = 30


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return value
    return ""


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    known = {c.prefix for c in categories()}
    category = request.GET.get("category", "")
    category = category if category in known else ""
    unread = request.GET.get("unread") == "1"
    rows = selectors.centre_rows(user=request.user, category=category, unread_only=unread)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    for row in page:
        row.category_label = get_category(category_of(row.kind)).label
    return render(
        request,
        "notifications/centre.html",
        {
            "page": page,
            "categories": categories(),
            "category": category,
            "unread": unread,
            "query": urlencode(
                {k: v for k, v in (("category", category), ("unread", "1" if unread else "")) if v}
            ),
            "unread_count": selectors.unread_count(user=request.user),
        },
    )


@require_POST
@login_required
def mark_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    back = _safe_next(request, request.POST.get("next", ""))
    return redirect(back or "core:home")


@require_POST
@login_required
def mark_one_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    row = get_scoped_or_404(
        Notification.objects.for_user(request.user), request.user, pk=notification_id
    )
    notifications_mark_read(user=request.user, notification_id=row.pk)
    if request.htmx:
        row.read = True
        row.category_label = get_category(category_of(row.kind)).label
        return render(
            request,
            "notifications/centre.html#row",
            {"n": row, "unread_count": selectors.unread_count(user=request.user), "oob": True},
        )
    return redirect(_safe_next(request, request.POST.get("next", "")) or "notifications:centre")


@login_required
def open_one(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    row = get_scoped_or_404(
        Notification.objects.for_user(request.user), request.user, pk=notification_id
    )
    if request.method == "POST" or not row.read:
        notifications_mark_read(user=request.user, notification_id=row.pk)
    # Only a path on this site: a stored link is never an open redirect.
    target = row.url if row.url.startswith("/") and not row.url.startswith("//") else ""
    return redirect(target or "notifications:centre")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    rows = preferences_for(user=request.user)
    form = PreferencesForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            preferences_set(user=request.user, choices=form.choices())
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("通知设置已保存。"))
            return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})


@action_required(MANAGE)
def webhook_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "notifications/webhook_list.html",
        {"endpoints": selectors.endpoints_for(user=request.user)},
    )


def _endpoint_inputs(form: EndpointForm) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "url": data["url"],
        "format": data["format"],
        "secret": data["secret"],
        "categories": list(data["categories"]),
        "active": data["active"],
    }


@action_required(MANAGE)
def webhook_create(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = hooks.endpoint_create(
                by=request.user, unit=request.user.unit, **_endpoint_inputs(form)
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return _show_secret_once(request, endpoint, secret)
    return render(request, "notifications/webhook_form.html", {"form": form})


def _show_secret_once(request: HttpRequest, endpoint: WebhookEndpoint, secret: str) -> HttpResponse:
    if secret:
        messages.warning(
            request,
            _("密钥（只显示这一次，请妥善保存）：%(secret)s") % {"secret": secret},
        )
    else:
        messages.success(request, _("推送地址已保存。"))
    return redirect("notifications:webhook", endpoint_id=endpoint.pk)


@login_required
def webhook_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_scoped_or_404(WebhookEndpoint, request.user, MANAGE, pk=endpoint_id)
    initial = {
        "name": endpoint.name,
        "url": endpoint.url,
        "format": endpoint.format,
        "categories": endpoint.categories,
        "active": endpoint.active,
    }
    form = EndpointForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = hooks.endpoint_update(
                by=request.user,
                endpoint=endpoint,
                new_secret=form.cleaned_data.get("new_secret", False),
                **_endpoint_inputs(form),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return _show_secret_once(request, endpoint, secret)
    log = Paginator(selectors.deliveries_of(endpoint=endpoint, user=request.user), PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/webhook_detail.html",
        {"endpoint": endpoint, "form": form, "log": log},
    )


@require_POST
@login_required
def webhook_test(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_scoped_or_404(WebhookEndpoint, request.user, MANAGE, pk=endpoint_id)
    hooks.endpoint_test(by=request.user, endpoint=endpoint)
    messages.success(request, _("测试消息已排队发送，结果见下方推送记录。"))
    return redirect("notifications:webhook", endpoint_id=endpoint.pk)


@require_POST
@login_required
def webhook_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_scoped_or_404(WebhookEndpoint, request.user, MANAGE, pk=endpoint_id)
    hooks.endpoint_delete(by=request.user, endpoint=endpoint)
    messages.success(request, _("推送地址已删除。"))
    return redirect("notifications:webhooks")


@require_POST
@login_required
def delivery_retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = get_scoped_or_404(WebhookDelivery, request.user, MANAGE, pk=delivery_id)
    try:
        hooks.delivery_retry(by=request.user, delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已重新排队发送。"))
    return redirect("notifications:webhook", endpoint_id=delivery.endpoint_id)
