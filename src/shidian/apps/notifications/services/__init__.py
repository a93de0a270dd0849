"""Writes for notifications (one module per entity); the names other apps import live here."""

from shidian.apps.notifications.services.delivery import (
    MAIL_BATCH,
    Note,
    deliver,
    notifications_mark_read,
    notify,
    target_label,
)

__all__ = ["MAIL_BATCH", "Note", "deliver", "notifications_mark_read", "notify", "target_label"]
