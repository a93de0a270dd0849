"""Who may see and steer a run. One place, so the switch to the ACCESS API is one module.

A person sees the runs they started (inside their subtree) and, when their role manages
(office, leading group), every run about a unit of their subtree. Cancel and retry need the
starter or that managing role.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from shidian.apps.core.scoping import get_scoped_or_404, sees_everything
from shidian.apps.runs.models import Run, RunFile, RunQuerySet


def _manages(user: Any) -> bool:
    return bool(getattr(user, "is_office", False))


def visible_runs(user: Any) -> RunQuerySet:
    runs = Run.objects.restrict(user)
    if sees_everything(user) or _manages(user):
        return runs
    return runs.filter(created_by=user)


def visible_files(user: Any):
    files = RunFile.objects.restrict(user)
    if sees_everything(user) or _manages(user):
        return files
    return files.filter(run__created_by=user)


def get_run_or_404(user: Any, run_id: Any) -> Run:
    return get_scoped_or_404(visible_runs(user), user, pk=run_id)


def can_control(user: Any, run: Run) -> bool:
    """Cancel and retry: the starter, or a managing role whose subtree holds the run."""
    if user is None:
        return True  # the system
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if sees_everything(user):
        return True
    if not Run.objects.restrict(user).filter(pk=run.pk).exists():
        return False
    return run.created_by_id == user.pk or _manages(user)


def require_control(user: Any, run: Run) -> None:
    if not can_control(user, run):
        raise PermissionDenied
