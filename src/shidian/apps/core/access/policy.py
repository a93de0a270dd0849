"""How each model answers "which rows may this person <action>?".

A :class:`Policy` names three paths from a model to what decides access:

- ``unit``: the organisation unit the row concerns. An account's role allows its
  :data:`SUBTREE_ACTIONS` on rows whose unit lies in the account's unit subtree.
- ``owner``: the unit that runs the row (a campaign's or a programme's unit). The owner actions
  (manage, approve) are checked against it instead of ``unit`` when it is given.
- ``targets``: ``(lookup, "app_label.model")`` pairs. A grant on such a target allows its role's
  :data:`GRANT_ACTIONS` on every row whose lookup reaches that target; a grant narrowed to a unit
  allows them only on rows whose ``unit`` lies in that unit's subtree (the target itself stays
  reachable).

``limit`` (AND) and ``extra`` (OR) take ``(user, action, prefix)`` and return a ``Q`` relative to
the model (``prefix`` is "" or the path a derived policy was reached through) for rules the three
paths cannot say: blind review, "everyone sees their own account".

Policies are registered per model from each app's ``policies.py`` (imported in ``ready()``). A
model without one falls back to ``Policy(unit=Model.scope_unit_field)``. Lookups must follow
foreign keys (to-one), so the filter never duplicates rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from django.db import models
from django.db.models import Q
from django.utils import timezone

from shidian.apps.core.access.actions import (
    ACTIONS,
    GRANT_ACTIONS,
    OWNER_ACTIONS,
    subtree_actions,
)

SEGMENT_WIDTH = 5
NOTHING = Q(pk__in=[])

QRule = Callable[[Any, str, str], Q | None]


def upper_bound(path: str) -> str:
    # Duplicated from orgs.paths on purpose: core must not import orgs at module level.
    return path[:-SEGMENT_WIDTH] + str(int(path[-SEGMENT_WIDTH:]) + 1).zfill(SEGMENT_WIDTH)


def _join(prefix: str, lookup: str) -> str:
    """``prefix`` + ``lookup`` as one lookup path ("" stays the row itself)."""
    parts = [p for p in (prefix.rstrip("_"), lookup) if p]
    return "__".join(parts)


def path_q(lookup: str, path: str) -> Q:
    """Rows whose unit (reached through ``lookup``, "" for the unit itself) lies under ``path``."""
    lead = f"{lookup}__" if lookup else ""
    return Q(**{f"{lead}path__gte": path, f"{lead}path__lt": upper_bound(path)})


def _prefixed(rule: QRule | None, lookup: str) -> QRule | None:
    if rule is None:
        return None

    def seen_through(user: Any, action: str, prefix: str) -> Q | None:
        return rule(user, action, f"{prefix}{lookup}__")

    return seen_through


class HeldGrant(NamedTuple):
    role: str
    target_type: str
    target_id: int
    unit_path: str | None


@dataclass(frozen=True)
class Policy:
    unit: str
    owner: str | None = None
    targets: tuple[tuple[str, str], ...] = ()
    limit: QRule | None = None
    extra: QRule | None = None

    def through(self, lookup: str) -> Policy:
        """This policy seen from a model reaching this one's model through ``lookup``."""
        return replace(
            self,
            unit=_join(lookup, self.unit),
            owner=None if self.owner is None else _join(lookup, self.owner),
            targets=tuple((_join(lookup, t), label) for t, label in self.targets),
            limit=_prefixed(self.limit, lookup),
            extra=_prefixed(self.extra, lookup),
        )

    def q(self, user: Any, action: str) -> Q:
        """The filter selecting the rows ``user`` may ``action`` (an active, non-super user)."""
        found = NOTHING
        if action in subtree_actions(user) and user.unit_id is not None:
            lookup = self.owner if action in OWNER_ACTIONS and self.owner is not None else self.unit
            found = found | path_q(lookup, user.unit.path)
        found = found | self._grant_q(user, action)
        if self.extra is not None:
            more = self.extra(user, action, "")
            if more is not None:
                found = found | more
        if self.limit is not None:
            narrowed = self.limit(user, action, "")
            if narrowed is not None:
                found = found & narrowed
        return found

    def _grant_q(self, user: Any, action: str) -> Q:
        found = NOTHING
        if not self.targets:
            return found
        held = [g for g in held_grants(user) if action in GRANT_ACTIONS.get(g.role, ())]
        for lookup, label in self.targets:
            # The target itself is always reachable through its grant; a grant's unit narrows
            # only the rows hanging under the target.
            itself = lookup == "pk"
            mine = [g for g in held if g.target_type == label]
            whole = sorted({g.target_id for g in mine if itself or not g.unit_path})
            if whole:
                found = found | Q(**{f"{lookup}__in": whole})
            for g in mine:
                if g.unit_path and not itself:
                    found = found | (Q(**{lookup: g.target_id}) & path_q(self.unit, g.unit_path))
        return found


_REGISTRY: dict[type[models.Model], Policy] = {}


def register(model: type[models.Model], policy: Policy) -> None:
    _REGISTRY[model] = policy


def policy_for(model: type[models.Model]) -> Policy:
    for candidate in (model, model._meta.concrete_model):
        if candidate in _REGISTRY:
            return _REGISTRY[candidate]
    unit = getattr(model, "scope_unit_field", None)
    if unit is None:
        raise TypeError(f"{model.__name__} has neither a policy nor scope_unit_field")
    return Policy(unit=unit)


GRANT_CACHE = "_shidian_held_grants"
# Bumped on every grant change in this process, so a user object read before the change (the
# same person held by two objects in one request, a long task) does not keep stale grants.
# Other processes read grants per request.
_generation = [0]


def held_grants(user: Any, on: datetime.date | None = None) -> list[HeldGrant]:
    """The user's grants active today, read once per request (cached on the user object)."""
    today = on or timezone.localdate()
    key = (today, _generation[0])
    cached = getattr(user, GRANT_CACHE, None)
    if cached is not None and cached[0] == key:
        return cached[1]
    from shidian.apps.core.models import Grant

    rows = (
        Grant.objects.filter(user_id=user.pk)
        .active(on=today)
        .values_list("role", "target_type", "target_id", "unit__path")
    )
    grants = [HeldGrant(*row) for row in rows]
    setattr(user, GRANT_CACHE, (key, grants))
    return grants


def forget_grants(user: Any) -> None:
    """Drop cached grants after giving or revoking one (this object's, and others' by age)."""
    _generation[0] += 1
    if hasattr(user, GRANT_CACHE):
        delattr(user, GRANT_CACHE)


def restrict_queryset(qs: models.QuerySet, user: Any, action: str) -> models.QuerySet:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs.all()
    return qs.filter(policy_for(qs.model).q(user, action))
