"""Escalate overdue rectification items (run daily from cron; running twice a day is harmless)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Raise the escalation level of overdue rectification items and notify."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, **options) -> None:
        from shidian.apps.inspections.services.rectification import items_escalate_overdue

        today = (
            datetime.date.fromisoformat(options["today"])
            if options.get("today")
            else timezone.localdate()
        )
        raised = items_escalate_overdue(today=today)
        self.stdout.write(f"{raised} item(s) escalated")
