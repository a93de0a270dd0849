"""The one mechanism that scopes every query and object lookup to the user's subtree.

Every scoped model uses :class:`ScopedQuerySet` (``objects = MyQuerySet.as_manager()``) and names
the lookup from itself to its organisation unit in ``scope_unit_field`` ("" for the unit itself,
"unit" for a model with a ``unit`` foreign key, "sheet__unit" further away), or registers a
:class:`~shidian.apps.core.access.Policy` saying more (owner, grant targets). Views never call
``Model.objects.get``: they call :func:`get_scoped_or_404` or
``Model.objects.restrict(user, action)``, so an object outside the user's reach is
indistinguishable from a missing one (404).
A test walks every URL pattern with an outsider to prove it; see tests/core/test_url_scoping.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models

if TYPE_CHECKING:
    from shidian.apps.accounts.models import User
    from shidian.apps.orgs.models import OrgUnit

M = TypeVar("M", bound=models.Model)
SEGMENT_WIDTH = 5


def _upper_bound(path: str) -> str:
    # Duplicated from orgs.paths on purpose: core must not import orgs at module level.
    return path[:-SEGMENT_WIDTH] + str(int(path[-SEGMENT_WIDTH:]) + 1).zfill(SEGMENT_WIDTH)


def scope_root(user: Any) -> OrgUnit | None:
    """The unit whose subtree ``user`` may see, or None when they may see nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.unit


def sees_everything(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser and user.is_active)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows which of its rows a person may act on (see core.access)."""

    def restrict(self, user: User | Any, action: str = "view") -> ScopedQuerySet:
        from shidian.apps.core.access.policy import restrict_queryset

        return restrict_queryset(self, user, action)

    def within(self, unit: OrgUnit) -> ScopedQuerySet:
        field = getattr(self.model, "scope_unit_field", None)
        if field is None:
            raise TypeError(f"{self.model.__name__} does not declare scope_unit_field")
        prefix = f"{field}__" if field else ""
        return self.filter(
            **{f"{prefix}path__gte": unit.path, f"{prefix}path__lt": _upper_bound(unit.path)}
        )


def get_scoped_or_404(
    model_or_qs: type[M] | models.QuerySet, user: Any, action: str = "view", **lookup: Any
) -> M:
    """Fetch one object the user may see; missing and forbidden both raise Http404.

    Kept here for the views that import it from scoping; it is core.access's check."""
    from shidian.apps.core.access.checks import get_scoped_or_404 as check

    return check(model_or_qs, user, action, **lookup)
