"""``progress(done, total, message)``: what a kind calls as it works.

Throttled: the row is written at most once per RUNS_PROGRESS_INTERVAL seconds (and on the
first call), so a kind may call it for every row of 100,000 (bench/runs_bench.py). The write is
one UPDATE that also refreshes the heartbeat and reads the cancel flag: it matches no row when
cancel was requested (or the run was retried elsewhere), and then Cancelled is raised.

Inside the kind's own ``transaction.atomic()`` the row is not written: the write would commit
only with the kind's transaction and hold the run's row lock, so a cancel from the page would
wait for it. Call progress before the final atomic write, not within it.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation

from shidian.apps.runs.errors import Cancelled


def source_text(message: Any) -> str:
    """A lazy message's source text (msgid): stored, then translated when shown."""
    if not message:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message)[:200]


class Progress:
    def __init__(self, run: Any, *, interval: float | None = None, clock=time.monotonic) -> None:
        self.run_id = run.pk
        self.attempt = run.attempts
        self.interval = (
            float(getattr(settings, "RUNS_PROGRESS_INTERVAL", 1.0))
            if interval is None
            else interval
        )
        self.clock = clock
        self._last: float | None = None
        self._base_depth = len(connection.atomic_blocks)
        self.writes = 0
        self.done, self.total, self.message, self.params = 0, 0, "", {}
        self._raw: Any = None

    def __call__(
        self,
        done: int,
        total: int | None = None,
        message: Any = None,
        params: dict | None = None,
        *,
        force: bool = False,
    ) -> None:
        self.done = done if done > 0 else 0
        if total is not None:
            self.total = total if total > 0 else 0
        if message is not None and message is not self._raw:
            # Cheap when a kind passes the same message each call: converted once.
            self._raw = message
            self.message = source_text(message)
        if params is not None:
            self.params = dict(params)
        now = self.clock()
        if not force and self._last is not None and now - self._last < self.interval:
            return
        if len(connection.atomic_blocks) > self._base_depth:
            return  # inside the kind's transaction: see the module docstring
        self._last = now
        self.flush()

    def flush(self) -> None:
        from shidian.apps.runs.models import Run, RunStatus

        self.writes += 1
        updated = Run.objects.filter(  # scoping: ok the worker's own run, by id
            pk=self.run_id,
            attempts=self.attempt,
            status=RunStatus.RUNNING,
            cancel_requested=False,
        ).update(
            progress_done=self.done,
            progress_total=max(self.total, self.done),
            progress_message=self.message,
            progress_params=self.params,
            heartbeat_at=timezone.now(),
        )
        if not updated:
            raise Cancelled
