"""Who may see and change grants and audit events."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.core.access import VIEW, Policy, register
from shidian.apps.core.models import Grant


def own_grants(user: Any, action: str, prefix: str) -> Q | None:
    """Everyone may read the grants they hold."""
    return Q(**{f"{prefix}user_id": user.pk}) if action == VIEW else None


register(Grant, Policy(unit="owner_unit", extra=own_grants))
