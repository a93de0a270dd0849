"""Account management for programme-office staff: accounts and invitations in their subtree.

Pages without an object answer 403 to roles that may not manage accounts; pages with an object
look it up in the viewer's scope first, so anything outside the subtree is a plain 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.accounts import selectors, services
from shidian.apps.accounts.forms import InviteForm, UserFilterForm
from shidian.apps.accounts.models import INVITATION_STATUS_LABELS, Invitation, User
from shidian.apps.core import selectors as core_selectors
from shidian.apps.core.access import MANAGE, action_required, get_scoped_or_404
from shidian.apps.core.audit import action_label

PAGE_SIZE = 50


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@action_required(MANAGE)
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None, viewer=request.user)
    form.is_valid()  # an invalid field (a unit outside scope) drops that filter, not the others
    filters = getattr(form, "cleaned_data", {})
    users = selectors.user_list(
        viewer=request.user,
        q=filters.get("q", ""),
        role=filters.get("role", ""),
        unit=filters.get("unit"),
        status=filters.get("status", ""),
    )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "accounts/user_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@action_required(MANAGE)
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    account = get_scoped_or_404(
        User.objects.select_related("unit"), request.user, MANAGE, pk=user_id
    )
    events = list(core_selectors.audit_events(viewer=request.user, target=account)[:20])
    for event in events:
        event.action_label = action_label(event.action)
    return render(
        request,
        "accounts/user_detail.html",
        {"account": account, "events": events, "is_self": account.pk == request.user.pk},
    )


@action_required(MANAGE)
@require_POST
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    account = get_scoped_or_404(
        User.objects.select_related("unit"), request.user, MANAGE, pk=user_id
    )
    try:
        services.user_deactivate(actor=request.user, user=account, request=request)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("已停用账号 %(name)s。") % {"name": account.username})
    return redirect("accounts:detail", user_id=account.pk)


@action_required(MANAGE)
@require_POST
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    account = get_scoped_or_404(
        User.objects.select_related("unit"), request.user, MANAGE, pk=user_id
    )
    try:
        services.user_reactivate(actor=request.user, user=account, request=request)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("已启用账号 %(name)s。") % {"name": account.username})
    return redirect("accounts:detail", user_id=account.pk)


@action_required(MANAGE)
def invite(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.method == "GET" and request.GET.get("unit"):
        initial["unit"] = request.GET["unit"]
    form = InviteForm(request.POST or None, viewer=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invitation_create(
                actor=request.user,
                email=data["email"],
                role=data["role"],
                unit=data["unit"],
                full_name=data["full_name"],
                base_url=_base_url(request),
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("已向 %(email)s 发送邀请，链接 %(days)s 天内有效。")
                % {
                    "email": invitation.email,
                    "days": (invitation.expires_at - invitation.sent_at).days,
                },
            )
            return redirect("accounts:invitations")
    return render(request, "accounts/invite.html", {"form": form})


@action_required(MANAGE)
def invitation_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "pending")
    if status not in INVITATION_STATUS_LABELS and status != "all":
        status = "pending"
    invitations = selectors.invitation_list(viewer=request.user, status=status)
    page = Paginator(invitations, PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [(key, label) for key, label in INVITATION_STATUS_LABELS.items()]
    tabs.append(("all", _("全部")))
    return render(
        request,
        "accounts/invitation_list.html",
        {"page": page, "status": status, "tabs": tabs},
    )


@action_required(MANAGE)
@require_POST
def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_scoped_or_404(Invitation, request.user, MANAGE, pk=invitation_id)
    try:
        services.invitation_resend(
            actor=request.user, invitation=invitation, base_url=_base_url(request), request=request
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, _("已重新发送邀请给 %(email)s，旧链接已失效。") % {"email": invitation.email}
        )
    return redirect("accounts:invitations")


@action_required(MANAGE)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_scoped_or_404(Invitation, request.user, MANAGE, pk=invitation_id)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation, request=request)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("已撤销给 %(email)s 的邀请。") % {"email": invitation.email})
    return redirect("accounts:invitations")
