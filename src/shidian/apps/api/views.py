"""Token pages: the owner's list, creation (the token is shown once) and revocation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.api.forms import TokenForm
from shidian.apps.api.models import ApiToken
from shidian.apps.api.tokens import token_create, token_revoke
from shidian.apps.core.access import MANAGE, VIEW, get_scoped_or_404


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            form = TokenForm()
    rows = ApiToken.objects.restrict(request.user, VIEW)
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": rows, "created": created},
        status=422 if request.method == "POST" and created is None else 200,
    )


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_scoped_or_404(ApiToken, request.user, MANAGE, pk=token_id)
    token_revoke(user=request.user, token=token)
    messages.success(request, _("令牌 %(prefix)s 已吊销。") % {"prefix": token.prefix})
    return redirect("api:tokens")
