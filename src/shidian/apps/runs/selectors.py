"""Reads of runs, always through access.visible_runs."""

from __future__ import annotations

from typing import Any

from django.db import models

from shidian.apps.runs.access import visible_runs
from shidian.apps.runs.models import Run, RunQuerySet, RunStatus, stale_after

INTERRUPTED = "interrupted"


def runs_for(user: Any, *, kind: str = "", status: str = "") -> RunQuerySet:
    """The list page: the user's runs (and the subtree's, for the office), newest first."""
    from django.utils import timezone

    runs = visible_runs(user).select_related("created_by", "unit")
    if kind:
        runs = runs.filter(kind=kind)
    if status == INTERRUPTED:
        runs = runs.filter(
            status=RunStatus.RUNNING, heartbeat_at__lt=timezone.now() - stale_after()
        )
    elif status in RunStatus.values:
        runs = runs.filter(status=status)
    return runs


def latest_run(user: Any, subject: models.Model, kind: str) -> Run | None:
    """The newest run of ``kind`` about ``subject`` that ``user`` may see."""
    return visible_runs(user).about(subject).filter(kind=kind).first()
