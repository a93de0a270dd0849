"""The one access mechanism: who may do what, on which rows.

``Model.objects.restrict(user, action)`` for lists, ``can``/``require`` for one object,
``get_scoped_or_404`` for lookups in views, ``action_required`` for pages without an object.
Policies (``policy.py``) say how each model reaches the unit and the grant targets that decide.
See docs/architecture.md, "Access".
"""

from shidian.apps.core.access.actions import (
    ACTIONS,
    APPROVE,
    FILL,
    GRANT_ACTIONS,
    MANAGE,
    OWNER_ACTIONS,
    REMIND,
    REVIEW,
    SUBTREE_ACTIONS,
    VIEW,
    GrantRole,
)
from shidian.apps.core.access.checks import action_required, can, get_scoped_or_404, may, require
from shidian.apps.core.access.policy import (
    Policy,
    forget_grants,
    held_grants,
    path_q,
    policy_for,
    register,
    restrict_queryset,
)

__all__ = [
    "ACTIONS",
    "APPROVE",
    "FILL",
    "GRANT_ACTIONS",
    "MANAGE",
    "OWNER_ACTIONS",
    "REMIND",
    "REVIEW",
    "SUBTREE_ACTIONS",
    "VIEW",
    "GrantRole",
    "Policy",
    "action_required",
    "can",
    "forget_grants",
    "get_scoped_or_404",
    "held_grants",
    "may",
    "path_q",
    "policy_for",
    "register",
    "require",
    "restrict_queryset",
]
