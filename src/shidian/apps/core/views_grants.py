"""The grants page: who holds which role on which programme, round or sheet, and until when."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shidian.apps.core.access import MANAGE, GrantRole, action_required, can, get_scoped_or_404
from shidian.apps.core.grants import STATES, grants_for, name_targets
from shidian.apps.core.models import Grant
from shidian.apps.core.services import grant_revoke


@action_required(MANAGE)
def grant_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "active")
    state = state if state in STATES else "active"
    role = request.GET.get("role", "")
    role = role if role in GrantRole.values else ""
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(grants_for(viewer=request.user, state=state, role=role, q=q), 50).get_page(
        request.GET.get("page")
    )
    name_targets(list(page.object_list))
    for grant in page.object_list:
        grant.revocable = grant.revoked_at is None and can(request.user, MANAGE, grant)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "state": state,
        "role": role,
        "q": q,
        "roles": GrantRole.choices,
        "states": [
            ("active", _("有效")),
            ("future", _("未生效")),
            ("ended", _("已到期")),
            ("revoked", _("已撤销")),
        ],
        "query": query.urlencode(),
    }
    return render(request, "core/grant_list.html", context)


@require_POST
@action_required(MANAGE)
def grant_revoke_view(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = get_scoped_or_404(
        Grant.objects.select_related("user"), request.user, MANAGE, pk=grant_id
    )
    grant_revoke(by=request.user, grant=grant)
    messages.success(request, _("已撤销 %(user)s 的授权。") % {"user": grant.user.display_name})
    return redirect("core:grants")
