"""Help requests (援助申请): a member school asks, the lead or office routes it to an expert,
the expert answers, the school confirms (closed) or reopens it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet

OPEN_OVERDUE_DAYS = 7
DEFAULT_DUE_DAYS = 14


class Status(models.TextChoices):
    OPEN = "open", _("待分派")
    ROUTED = "routed", _("已分派专家")
    ANSWERED = "answered", _("专家已答复")
    CLOSED = "closed", _("已确认关闭")


class HelpRequestQuerySet(ScopedQuerySet):
    def not_closed(self):
        return self.exclude(status=Status.CLOSED)

    def overdue(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        stale = timezone.now() - dt.timedelta(days=OPEN_OVERDUE_DAYS)
        return self.filter(
            models.Q(status__in=[Status.ROUTED, Status.ANSWERED], due_on__lt=today)
            | models.Q(status=Status.OPEN, created_at__lt=stale)
        )


class HelpRequest(models.Model):
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="help_requests"
    )
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="help_requests")
    title = models.CharField(_("援助申请标题"), max_length=200)
    description = models.TextField(_("问题描述"))
    category = models.CharField(_("问题类别"), max_length=60, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reopened_count = models.PositiveIntegerField(default=0)
    due_on = models.DateField(null=True, blank=True)
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="help_requests_routed",
    )
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    routed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = HelpRequestQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        if self.status in (Status.ROUTED, Status.ANSWERED):
            return self.due_on is not None and self.due_on < today
        if self.status == Status.OPEN:
            return self.created_at < timezone.now() - dt.timedelta(days=OPEN_OVERDUE_DAYS)
        return False


class MessageKind(models.TextChoices):
    QUESTION = "question", _("提问")
    ANSWER = "answer", _("答复")
    NOTE = "note", _("备注")


class HelpMessage(models.Model):
    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    kind = models.CharField(max_length=16, choices=MessageKind.choices, default=MessageKind.NOTE)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request} · {self.get_kind_display()}"


class HelpAttachment(models.Model):
    """A file attached to a request's description (``message`` empty) or to one message.

    Checked like evidence files (evidence.files.check_upload: type by its first bytes, size) and
    stored in the project's file storage; served only through the request's access rule."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        HelpMessage,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(upload_to="helprequests/%Y/%m/")
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10)  # image / pdf / office (evidence.files.sniff)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
