"""Who may see and steer runs (ACCESS API): a person sees the runs they started; a role that
manages its subtree (office, leading group) sees and steers every run about a unit of it.
Cancel and retry are MANAGE: the starter, or that managing role."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.core.access import MANAGE, SUBTREE_ACTIONS, VIEW, Policy, register
from shidian.apps.runs.models import Run, RunFile


def _manages(user: Any) -> bool:
    return MANAGE in SUBTREE_ACTIONS.get(getattr(user, "role", "") or "", frozenset())


def own_runs(user: Any, action: str, prefix: str) -> Q | None:
    """The starter may see and steer their run."""
    return Q(**{f"{prefix}created_by": user.pk}) if action in (VIEW, MANAGE) else None


def only_own_unless_managing(user: Any, action: str, prefix: str) -> Q | None:
    """A role that does not manage (a school, a zone) sees its own runs only, not every run of
    its subtree: runs hold exports and results of the person who started them."""
    if _manages(user):
        return None
    return Q(**{f"{prefix}created_by": user.pk})


RUN_POLICY = Policy(unit="unit", extra=own_runs, limit=only_own_unless_managing)
register(Run, RUN_POLICY)
register(RunFile, RUN_POLICY.through("run"))
