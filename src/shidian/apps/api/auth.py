"""Bearer-token authentication and the scope check every route makes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from shidian.apps.api import scopes as scope_rules
from shidian.apps.api.errors import ApiError
from shidian.apps.api.tokens import token_check


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sd_…``. The token's owner becomes ``request.user``, so every
    route goes through the same ``restrict(user, action)`` as the pages."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_check(token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found


def need(request: HttpRequest, area: str, mode: str = scope_rules.READ) -> Any:
    """The signed-in user, if the token's scopes allow ``mode`` on ``area``; else 403."""
    token = request.auth  # type: ignore[attr-defined]
    if not scope_rules.allows(token.scopes, area, mode):
        raise ApiError(
            403,
            "scope",
            _("令牌没有“%(scope)s”权限。") % {"scope": f"{area}:{mode}"},
        )
    return request.user
