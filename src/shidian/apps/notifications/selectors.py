"""Reads for notifications: a user's own, newest first; the centre's filters; push logs."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shidian.apps.core.access import MANAGE
from shidian.apps.notifications.categories import OTHER, registered_prefixes
from shidian.apps.notifications.models import Notification, WebhookDelivery, WebhookEndpoint


def notifications_for(*, user, limit: int | None = 10) -> QuerySet | list:
    qs = Notification.objects.for_user(user).order_by("-created_at")
    return qs[:limit] if limit else qs


def unread_count(*, user) -> int:
    return Notification.objects.for_user(user).filter(read=False).count()


def category_q(category: str) -> Q:
    """Rows of one category: kinds starting with "prefix.", or none of the known ones."""
    if category == OTHER:
        known = Q()
        for prefix in registered_prefixes():
            known |= Q(kind__startswith=f"{prefix}.")
        return ~known if known else Q()
    return Q(kind__startswith=f"{category}.")


def centre_rows(*, user, category: str = "", unread_only: bool = False) -> QuerySet:
    """The centre's list: unread first, then newest."""
    qs = Notification.objects.for_user(user)
    if category:
        qs = qs.filter(category_q(category))
    if unread_only:
        qs = qs.filter(read=False)
    return qs.order_by("read", "-created_at", "-pk")


def endpoints_for(*, user) -> QuerySet:
    return WebhookEndpoint.objects.restrict(user, MANAGE).select_related("unit")


def deliveries_of(*, endpoint: WebhookEndpoint, user) -> QuerySet:
    return WebhookDelivery.objects.restrict(user, MANAGE).filter(endpoint=endpoint)
