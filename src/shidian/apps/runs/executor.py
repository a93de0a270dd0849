"""Runs a queued run in the task worker: claim it, call its kind, record how it ended.

Claiming is one conditional UPDATE (queued -> running, one more attempt), so two workers never
run the same attempt. Every later write of this attempt is conditioned on its attempt number:
a worker thought dead whose run was retried meanwhile writes nothing and stops.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.utils import timezone, translation

from shidian.apps.runs.errors import Cancelled, RunError
from shidian.apps.runs.models import Run, RunStatus
from shidian.apps.runs.progress import Progress
from shidian.apps.runs.registry import get_kind

log = logging.getLogger(__name__)


def _jsonable(value: Any) -> Any:
    if value is None:
        return {}
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def run_execute(*, run_id: int) -> str | None:
    """Execute one attempt of run ``run_id``; returns its final status (None: not claimed)."""
    now = timezone.now()
    claimed = Run.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(  # scoping: ok by id
        status=RunStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None  # cancelled while queued, or another worker has it
    run = Run.objects.get(pk=run_id)  # scoping: ok by id
    if run.cancel_requested:
        return _end(run, RunStatus.CANCELLED)
    kind = get_kind(run.kind)
    if kind is None:
        return _end(run, RunStatus.FAILED, code="unknown_kind", params={"kind": run.kind})
    progress = Progress(run)
    try:
        with translation.override(run.language or None):
            result = kind.func(run, progress)
    except Cancelled:
        return _end(run, RunStatus.CANCELLED, progress=progress)
    except RunError as exc:
        log.warning("run %s (%s) failed: %s %s", run.pk, run.kind, exc.code, exc.params)
        return _end(run, RunStatus.FAILED, code=exc.code, params=exc.params, progress=progress)
    except Exception:
        # The traceback is for the log only; the page says "internal".
        log.exception("run %s (%s) failed with an unexpected error", run.pk, run.kind)
        return _end(run, RunStatus.FAILED, code="internal", progress=progress)
    return _end(run, RunStatus.SUCCEEDED, result=_jsonable(result), progress=progress)


def _end(
    run: Run,
    status: str,
    *,
    code: str = "",
    params: dict | None = None,
    result: Any = None,
    progress: Progress | None = None,
) -> str | None:
    now = timezone.now()
    fields: dict[str, Any] = {
        "status": status,
        "finished_at": now,
        "heartbeat_at": now,
        "error_code": code,
        "error_params": params or {},
    }
    if result is not None:
        fields["result"] = result
    if progress is not None:
        total = max(progress.total, progress.done)
        fields.update(
            progress_done=total if status == RunStatus.SUCCEEDED else progress.done,
            progress_total=total,
            progress_message=progress.message,
            progress_params=progress.params,
        )
    written = Run.objects.filter(  # scoping: ok by id
        pk=run.pk, attempts=run.attempts, status=RunStatus.RUNNING
    ).update(**fields)
    if not written:
        return None  # retried or ended elsewhere meanwhile: this attempt's outcome is moot
    run.refresh_from_db()
    kind = get_kind(run.kind)
    if kind is not None and kind.on_end is not None:
        try:
            kind.on_end(run)
        except Exception:  # noqa: BLE001 - the run's own record stays right
            log.exception("on_end of run %s (%s) failed", run.pk, run.kind)
    return status
