"""A token is its owner's alone: nobody else sees it, whatever their role or subtree."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.core.access import Policy, register


def own(user: Any, action: str, prefix: str) -> Q | None:
    return Q(**{f"{prefix}user_id": user.pk})


def register_all() -> None:
    from shidian.apps.api.models import ApiToken

    register(ApiToken, Policy(unit="user__unit", extra=own, limit=own))
