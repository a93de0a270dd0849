"""Background tasks of the core app. Tasks are thin: they take ids and call a service."""

from __future__ import annotations

from django_tasks import task


@task()
def echo(value: str) -> str:
    """A no-op round trip through the configured backend (used by health checks and tests)."""
    return value
