"""Reads for notifications: a user's own, newest first."""

from __future__ import annotations

from django.db.models import QuerySet

from shidian.apps.notifications.models import Notification


def notifications_for(*, user, limit: int | None = 10) -> QuerySet | list:
    qs = Notification.objects.for_user(user).order_by("-created_at")
    return qs[:limit] if limit else qs


def unread_count(*, user) -> int:
    return Notification.objects.for_user(user).filter(read=False).count()
