"""Background tasks: thin wrappers that call a service."""

from __future__ import annotations

from django_tasks import task


@task()
def escalate_overdue_items() -> int:
    """Daily: raise the escalation level of overdue rectification items (idempotent per day)."""
    from django.utils import timezone

    from shidian.apps.inspections.services.rectification import items_escalate_overdue

    return items_escalate_overdue(today=timezone.localdate())
