"""Who may see and manage programmes, on core.access.

Reading and managing are core.access's rule (``policies.py``): the running unit's office and
leading group (subtree roles), and the programme's office and leading-group members (Grants).
Creating a programme is for accounts whose role manages their own subtree: a grant on one
programme does not let its holder set up others.
"""

from __future__ import annotations

from typing import Any

from shidian.apps.core.access import MANAGE, SUBTREE_ACTIONS, VIEW, can, require


def may_create(user: Any) -> bool:
    """May ``user`` set up programmes for their unit (the create page)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.unit_id is not None and MANAGE in SUBTREE_ACTIONS.get(user.role or "", ())


def can_manage(user: Any, programme: Any) -> bool:
    return can(user, MANAGE, programme)


def require_manage(user: Any, programme: Any) -> None:
    """PermissionDenied (a styled 403) unless ``user`` may manage; ``None`` is the system."""
    require(user, MANAGE, programme)


def visible_programmes(user: Any):
    """Programmes ``user`` may read."""
    from shidian.apps.programmes.models import Programme

    return Programme.objects.restrict(user, VIEW)
