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


class MailStatus(models.TextChoices):
    NONE = "", _("不发邮件")
    SENT = "sent", _("已发邮件")
    HELD = "held", _("等待汇总邮件")  # the user chose a daily digest
    LIMITED = "limited", _("超出每小时上限")  # over the hourly cap: mailed later in one message
    DIGESTED = "digested", _("已汇总发送")


class EmailChoice(models.TextChoices):
    NOW = "now", _("立即发送邮件")
    DIGEST = "digest", _("每日汇总一封")
    OFF = "off", _("不发邮件")


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
    # What became of the e-mail copy: counted by the hourly cap, collected by the digests.
    mail_status = models.CharField(max_length=10, choices=MailStatus.choices, blank=True)

    objects = NotificationQuerySet.as_manager()
    scope_unit_field = "user__unit"

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read"], name="notification_user_read_idx"),
            models.Index(fields=["target_type", "target_id"], name="notification_target_idx"),
            # The dedup window and the hourly e-mail cap look at one user's recent rows.
            models.Index(fields=["user", "created_at"], name="notification_user_time_idx"),
        ]

    def __str__(self) -> str:
        return self.message


class PreferenceQuerySet(ScopedQuerySet):
    def for_user(self, user) -> PreferenceQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.restrict(user).filter(user_id=user.pk)


class NotificationPreference(models.Model):
    """One user's choice for one category; no row means the category's default. In-app
    notifications are always written (the centre is the record); only e-mail is chosen."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(_("类别"), max_length=32)
    email = models.CharField(_("邮件"), max_length=8, choices=EmailChoice.choices)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PreferenceQuerySet.as_manager()
    scope_unit_field = "user__unit"

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="notification_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.category}={self.email}"


class WebhookFormat(models.TextChoices):
    GENERIC = "generic", _("通用 JSON（签名）")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


class WebhookEndpoint(models.Model):
    """Where a unit's notifications are pushed (a bureau's own service, a group robot)."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属单位"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("推送地址"), max_length=500)
    # Kept in clear: signing needs it. Shown once when generated, masked afterwards.
    secret = models.CharField(_("密钥"), max_length=200, blank=True)
    format = models.CharField(
        _("格式"), max_length=10, choices=WebhookFormat.choices, default=WebhookFormat.GENERIC
    )
    categories = models.JSONField(_("订阅的类别"), default=list, blank=True)  # [] = all
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("推送地址")
        verbose_name_plural = _("推送地址")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_secret(self) -> str:
        return (
            f"••••{self.secret[-4:]}" if len(self.secret) > 8 else ("••••" if self.secret else "")
        )

    def subscribes(self, category: str) -> bool:
        return not self.categories or category in self.categories


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SUCCEEDED = "succeeded", _("已送达")
    FAILED = "failed", _("已放弃")


class WebhookDelivery(models.Model):
    """One event pushed to one endpoint, with its attempts (the office's delivery log)."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_kind = models.CharField(_("事件"), max_length=32)
    event_key = models.CharField(max_length=64)  # dedup: one delivery per endpoint per event
    payload = models.JSONField(default=dict)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "endpoint__unit"

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["endpoint", "event_key"], name="webhook_delivery_key_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
        ]
        constraints = [
            # A business event (services/events.py) reaches an endpoint exactly once.
            models.UniqueConstraint(
                fields=["endpoint", "event_key"],
                condition=models.Q(event_key__startswith="evt:"),
                name="webhook_delivery_event_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.endpoint_id}:{self.event_kind}:{self.status}"
