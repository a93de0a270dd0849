"""First login with an activation code (首次登录（激活码）): public pages.

Step 1 checks user name + code, throttled exactly like password logins: the same django-axes
counter per user name and address (and our per-address limit, accounts/throttle.py), fed by
Django's ``user_login_failed`` signal, so five wrong codes or passwords in any mix lock the
name. Step 2 (same session) sets the password with the project's validators and logs in.
"""

from __future__ import annotations

import time

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from shidian.apps.accounts import onboarding
from shidian.apps.accounts.backends import PASSWORD_BACKEND
from shidian.apps.accounts.forms import ActivationCheckForm, ActivationPasswordForm

SESSION_KEY = "shidian_activation"
STEP_TWO_SECONDS = 30 * 60


@never_cache
@sensitive_post_parameters("code")
def activate(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = ActivationCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        credentials = {"username": username}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return get_lockout_response(request, None, credentials)
        try:
            record = onboarding.activation_check(username=username, code=form.cleaned_data["code"])
        except onboarding.ActivationError as error:
            if error.counts:
                # Axes counts it, and may lock now: its middleware then answers the lockout page.
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            form.add_error(None, error.message)
        else:
            request.session[SESSION_KEY] = {
                "user": record.user_id,
                "digest": record.digest,
                "at": time.time(),
            }
            return redirect("accounts:activate_password")
    return render(request, "accounts/activate.html", {"form": form})


@never_cache
@sensitive_post_parameters("password1", "password2")
def activate_password(request: HttpRequest) -> HttpResponse:
    state = request.session.get(SESSION_KEY) or {}
    if not state or time.time() - float(state.get("at", 0)) > STEP_TWO_SECONDS:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("请先输入用户名和激活码。"))
        return redirect("accounts:activate")
    try:
        record = onboarding.activation_pending(user_id=state["user"], digest=state["digest"])
    except onboarding.ActivationError as error:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, error.message)
        return redirect("accounts:activate")
    user = record.user
    form = ActivationPasswordForm(
        request.POST or None, user=user, initial={"full_name": user.full_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = onboarding.activation_complete(
                user_id=user.pk,
                digest=state["digest"],
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
                request=request,
            )
        except onboarding.ActivationError as error:
            request.session.pop(SESSION_KEY, None)
            messages.error(request, error.message)
            return redirect("accounts:activate")
        request.session.pop(SESSION_KEY, None)
        login(request, user, backend=PASSWORD_BACKEND)  # axes resets this name's failures
        messages.success(
            request,
            _("账号 %(name)s 已激活，以后请用用户名和新密码登录。") % {"name": user.username},
        )
        return redirect("core:home")
    return render(request, "accounts/activate_password.html", {"form": form, "account": user})
