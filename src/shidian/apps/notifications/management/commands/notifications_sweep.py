"""Send waiting e-mails (cap overflow, daily digests) and retry due pushes; for cron."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from shidian.apps.notifications.services.digests import held_mail_due
from shidian.apps.notifications.services.webhooks import deliveries_retry_due


class Command(BaseCommand):
    help = "Send waiting notification e-mails and retry due webhook deliveries."

    def handle(self, *args, **options) -> None:
        mails, pushes = held_mail_due(), deliveries_retry_due()
        self.stdout.write(f"mails={mails} pushes={pushes}")
