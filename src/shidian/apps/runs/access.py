"""Who may see and steer a run: the ACCESS API (core.access) with the policy in policies.py.

A person sees the runs they started and, when their role manages (office, leading group),
every run about a unit of their subtree. Cancel and retry are MANAGE on the run: the starter
or that managing role.
"""

from __future__ import annotations

from typing import Any

from shidian.apps.core.access import MANAGE, VIEW, can, get_scoped_or_404, require
from shidian.apps.runs.models import Run, RunQuerySet


def visible_runs(user: Any) -> RunQuerySet:
    return Run.objects.restrict(user, VIEW)


def get_run_or_404(user: Any, run_id: Any) -> Run:
    return get_scoped_or_404(Run, user, pk=run_id)


def can_control(user: Any, run: Run) -> bool:
    """Cancel and retry; ``None`` is the system."""
    return user is None or can(user, MANAGE, run)


def require_control(user: Any, run: Run) -> None:
    require(user, MANAGE, run)
