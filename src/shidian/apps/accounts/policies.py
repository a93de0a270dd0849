"""Who may see and change accounts and invitations."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.accounts.models import Invitation, User
from shidian.apps.core.access import VIEW, Policy, register


def own_account(user: Any, action: str, prefix: str) -> Q | None:
    """Everyone may read their own account."""
    return Q(**{f"{prefix}pk": user.pk}) if action == VIEW else None


register(User, Policy(unit="unit", extra=own_account))
register(Invitation, Policy(unit="unit"))
