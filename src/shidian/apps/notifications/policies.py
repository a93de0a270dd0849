"""Everyone reads their own notifications and preferences and nobody else's, whatever their
subtree. Push endpoints belong to a unit: only a role that manages the unit's subtree (office,
leading group) sees them at all, since they hold secrets; a zone that may view its subtree does
not."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.core.access import MANAGE, VIEW, Policy, register
from shidian.apps.core.access.actions import subtree_actions
from shidian.apps.notifications.models import (
    Notification,
    NotificationPreference,
    WebhookDelivery,
    WebhookEndpoint,
)


def own(user: Any, action: str, prefix: str) -> Q | None:
    return Q(**{f"{prefix}user_id": user.pk})


def own_view(user: Any, action: str, prefix: str) -> Q | None:
    return own(user, action, prefix) if action == VIEW else None


def managers_only(user: Any, action: str, prefix: str) -> Q | None:
    return None if MANAGE in subtree_actions(user) else Q(pk__in=[])


register(Notification, Policy(unit="user__unit", extra=own_view, limit=own))
register(NotificationPreference, Policy(unit="user__unit", extra=own_view, limit=own))
ENDPOINT_POLICY = Policy(unit="unit", owner="unit", limit=managers_only)
register(WebhookEndpoint, ENDPOINT_POLICY)
register(WebhookDelivery, ENDPOINT_POLICY.through("endpoint"))
