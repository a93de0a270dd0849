"""The one mechanism that scopes every query and object lookup to the user's subtree.

Every scoped model uses :class:`ScopedQuerySet` (``objects = MyQuerySet.as_manager()``) and names
the lookup from itself to its organisation unit in ``scope_unit_field`` ("" for the unit itself,
"unit" for a model with a ``unit`` foreign key, "sheet__unit" further away). Views never call
``Model.objects.get``: they call :func:`get_scoped_or_404` or ``Model.objects.restrict(user)``,
so an object outside the user's subtree is indistinguishable from a missing one (404).
A test walks every URL pattern with an outsider to prove it; see tests/core/test_url_scoping.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.http import Http404

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
    """A queryset that knows how to restrict itself to a user's subtree."""

    def restrict(self, user: User | Any) -> ScopedQuerySet:
        if sees_everything(user):
            return self.all()
        root = scope_root(user)
        if root is None:
            return self.none()
        return self.within(root)

    def within(self, unit: OrgUnit) -> ScopedQuerySet:
        field = getattr(self.model, "scope_unit_field", None)
        if field is None:
            raise TypeError(f"{self.model.__name__} does not declare scope_unit_field")
        prefix = f"{field}__" if field else ""
        return self.filter(
            **{f"{prefix}path__gte": unit.path, f"{prefix}path__lt": _upper_bound(unit.path)}
        )


def get_scoped_or_404(model_or_qs: type[M] | models.QuerySet, user: Any, **lookup: Any) -> M:
    """Fetch one object the user may see; missing and forbidden both raise Http404."""
    qs = model_or_qs._default_manager.all() if isinstance(model_or_qs, type) else model_or_qs
    if not isinstance(qs, ScopedQuerySet):
        raise TypeError(f"{qs.model.__name__} is not a scoped model")
    try:
        return qs.restrict(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
