"""Daily jobs: what has to happen once a day without anyone asking (open the reporting
periods that started, escalate overdue rectification items).

Apps register a background task with :func:`register_daily` from ``AppConfig.ready()``;
:func:`enqueue_daily` enqueues every one of them. `shidian daily` calls it (for cron on the
scale path) and the embedded `shidian serve` / `shidian demo` call it at start and every
``DAILY_INTERVAL`` seconds. Every job is idempotent for a day, so two app servers running it
do no harm.
"""

from __future__ import annotations

from typing import Any

DAILY_INTERVAL = 6 * 3600

_JOBS: list[Any] = []


def register_daily(task: Any) -> Any:
    """Register a django-tasks task taking no arguments."""
    if task not in _JOBS:
        _JOBS.append(task)
    return task


def daily_jobs() -> list[Any]:
    return list(_JOBS)


def enqueue_daily() -> int:
    """Enqueue every daily job; returns how many were enqueued."""
    for task in _JOBS:
        task.enqueue()
    return len(_JOBS)
