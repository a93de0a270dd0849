"""In-app notifications: one row per recipient; the e-mail copy leaves after commit.

A notification may say what it is about (``target_type`` "app_label.model" and ``target_id``,
the same pair grants use), so an app can list or clear its own without a foreign key from this
ground-floor app up to it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet

MESSAGE_MAX = 300


class NotificationQuerySet(ScopedQuerySet):
    def for_user(self, user) -> NotificationQuerySet:
        """A user's own notifications (nobody reads another's, whatever their subtree)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.restrict(user).filter(user_id=user.pk)


class Notification(models.Model):
    """An in-app message to one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=32, blank=True)
    message = models.CharField(_("内容"), max_length=MESSAGE_MAX)
    body = models.TextField(_("正文"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NotificationQuerySet.as_manager()
    scope_unit_field = "user__unit"

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read"], name="notification_user_read_idx"),
            models.Index(fields=["target_type", "target_id"], name="notification_target_idx"),
        ]

    def __str__(self) -> str:
        return self.message
