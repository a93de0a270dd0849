"""Public and self-service pages: accept an invitation, reset or change one's password."""

from __future__ import annotations

import hashlib
import logging

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from shidian.apps.accounts import selectors, services, tokens
from shidian.apps.accounts.backends import PASSWORD_BACKEND
from shidian.apps.accounts.forms import InvitationAcceptForm
from shidian.apps.core.clientip import client_ip

log = logging.getLogger(__name__)


@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the invitation e-mail: choose a username and password, then log in.

    Public on purpose: the signed token is the credential (see tokens.read_token).
    """
    try:
        invitation = tokens.read_token(token)
    except tokens.InvitationTokenError as error:
        status = 400 if error.code == "invalid" else 410
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"message": error.message, "code": error.code},
            status=status,
        )
    initial = {
        "username": selectors.suggest_username(invitation.email),
        "full_name": invitation.full_name,
    }
    form = InvitationAcceptForm(request.POST or None, invitation=invitation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.invitation_accept(
                invitation=invitation,
                username=data["username"],
                full_name=data["full_name"],
                password=data["password1"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend=PASSWORD_BACKEND)
            messages.success(
                request, _("欢迎使用试点！您的账号 %(name)s 已创建。") % {"name": user.username}
            )
            return redirect("core:home")
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )


RESET_WINDOW = 3600


def _over_limit(key: str) -> bool:
    """Count one use of ``key`` in the shared cache; True once it passes PASSWORD_RESET_LIMIT."""
    cache.add(key, 0, RESET_WINDOW)
    try:
        return cache.incr(key) > settings.PASSWORD_RESET_LIMIT
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RESET_WINDOW)
        return False


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail, with a limit so the form cannot be used to flood a mailbox.

    Over the limit the visitor sees the same "sent" page (nothing reveals whether an address
    has an account) but no e-mail leaves.
    """

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset_email.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        email = form.cleaned_data["email"].strip().lower()
        digest = hashlib.sha256(email.encode()).hexdigest()[:32]
        ip = client_ip(self.request)  # behind a proxy: the client's, not the proxy's
        over_email = _over_limit(f"shidian:pwreset:email:{digest}")
        over_ip = _over_limit(f"shidian:pwreset:ip:{ip}")
        if over_email or over_ip:
            log.warning("password reset limit reached (ip %s)", ip)
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        services.password_changed_record(user=form.user, via="reset", request=self.request)
        # Whoever proved they own the mailbox may log in now, even after a lockout.
        axes_reset(username=form.user.username)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        services.password_changed_record(user=form.user, via="change", request=self.request)
        return response
