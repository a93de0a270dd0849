"""Everyone reads their own notifications and nobody else's, whatever their subtree."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.core.access import VIEW, Policy, register
from shidian.apps.notifications.models import Notification


def own(user: Any, action: str, prefix: str) -> Q | None:
    return Q(**{f"{prefix}user_id": user.pk})


def own_view(user: Any, action: str, prefix: str) -> Q | None:
    return own(user, action, prefix) if action == VIEW else None


register(Notification, Policy(unit="user__unit", extra=own_view, limit=own))
