"""Writes of runs: start, cancel, retry, and attaching an output file. Keyword-only, atomic;
the task is enqueued on commit, so the worker never sees a run that is not stored yet."""

from __future__ import annotations

import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone, translation

from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.runs.access import require_control
from shidian.apps.runs.errors import RunError
from shidian.apps.runs.models import ACTIVE, Run, RunFile, RunStatus
from shidian.apps.runs.registry import get_kind, kind_label

log = logging.getLogger(__name__)


class RunNotAllowed(Exception):
    """The run is not in a state that allows this (retry of a running run, ...)."""


def _subject(subject: models.Model | None) -> dict[str, str]:
    if subject is None:
        return {"target_type": "", "target_id": ""}
    return {"target_type": subject._meta.label_lower, "target_id": str(subject.pk)}


def _dispatch(run_id: int) -> None:
    """Hand the run to the task worker (inline with the immediate backend)."""
    from shidian.apps.runs.tasks import execute_run

    try:
        execute_run.enqueue(run_id)
    except Exception:  # noqa: BLE001 - the queue is down: the run must not wait forever
        log.exception("could not enqueue run %s", run_id)
        Run.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(  # scoping: ok by id
            status=RunStatus.FAILED, error_code="internal", finished_at=timezone.now()
        )


@transaction.atomic
def run_start(
    kind: str,
    *,
    by: Any,
    unit: Any,
    params: dict[str, Any] | None = None,
    subject: models.Model | None = None,
) -> Run:
    """Store a queued run of ``kind`` about ``unit`` (and ``subject``) and enqueue it on commit."""
    if get_kind(kind) is None:
        raise ValueError(f"unknown run kind {kind!r}")
    run = Run.objects.create(
        kind=kind,
        unit=unit,
        params=params or {},
        created_by=person_or_none(by),
        language=translation.get_language() or "",
        **_subject(subject),
    )
    audit_record(
        actor=by,
        action="runs.start",
        target=run,
        unit=unit,
        summary=f"{kind_label(kind)} #{run.pk}",
    )
    transaction.on_commit(lambda: _dispatch(run.pk))
    return run


def _end_now(run: Run, status: str) -> None:
    """End a run that no worker is running (queued, or interrupted), then tell its kind."""
    now = timezone.now()
    run.status, run.finished_at, run.heartbeat_at = status, now, now
    run.save(update_fields=["status", "finished_at", "heartbeat_at", "cancel_requested"])
    kind = get_kind(run.kind)
    if kind is not None and kind.on_end is not None:
        kind.on_end(run)


@transaction.atomic
def run_cancel(*, run: Run, by: Any) -> Run:
    """Ask a run to stop. A queued (or interrupted) run ends at once; a running one stops at its
    next progress call. An ended run is left as it is."""
    require_control(by, run)
    run = Run.objects.select_for_update().get(pk=run.pk)  # scoping: ok checked above
    if run.status not in ACTIVE:
        return run
    run.cancel_requested = True
    if run.status == RunStatus.QUEUED or run.is_interrupted:
        _end_now(run, RunStatus.CANCELLED)
    else:
        run.save(update_fields=["cancel_requested"])
    audit_record(actor=by, action="runs.cancel", target=run, unit=run.unit)
    return run


def can_retry(run: Run) -> bool:
    kind = get_kind(run.kind)
    if kind is None or not kind.retryable:
        return False
    return run.status in {RunStatus.FAILED, RunStatus.CANCELLED} or run.is_interrupted


@transaction.atomic
def run_retry(*, run: Run, by: Any) -> Run:
    """Run a failed, cancelled or interrupted run again from the start (same row, one more
    attempt). Kinds leave nothing half-applied, so starting over is safe."""
    require_control(by, run)
    run = Run.objects.select_for_update().get(pk=run.pk)  # scoping: ok checked above
    if not can_retry(run):
        raise RunNotAllowed(run.status)
    # Files leave storage only once the retry is committed: a rollback keeps working downloads.
    names = [old.file.name for old in run.files.all()]
    storage = RunFile._meta.get_field("file").storage
    run.files.all().delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names], robust=True)
    run.status = RunStatus.QUEUED
    run.cancel_requested = False
    run.error_code, run.error_params, run.result = "", {}, {}
    run.progress_done = run.progress_total = 0
    run.progress_message, run.progress_params = "", {}
    run.started_at = run.finished_at = run.heartbeat_at = None
    run.language = translation.get_language() or run.language
    run.save()
    audit_record(actor=by, action="runs.retry", target=run, unit=run.unit)
    transaction.on_commit(lambda: _dispatch(run.pk))
    return run


def run_attach_file(*, run: Run, name: str, data: bytes, content_type: str) -> RunFile:
    """Store an output file of ``run`` (default storage: local files or S3)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:150] or "file"
    attached = RunFile(run=run, name=name[:200], content_type=content_type, size=len(data))
    attached.file.save(safe, ContentFile(data), save=False)
    attached.save()
    return attached


__all__ = [
    "RunError",
    "RunNotAllowed",
    "can_retry",
    "run_attach_file",
    "run_cancel",
    "run_retry",
    "run_start",
]
