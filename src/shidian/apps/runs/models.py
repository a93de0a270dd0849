"""Long work as one concept: a Run (status, progress, cancel, result, error) and its output files.

A run is about one organisation unit (``unit``, the scope: the office sees the runs of its
subtree) and optionally about one object of another app (``target_type`` "app_label.model" and
``target_id``, the way audit events name theirs), so a page finds the runs of its object without
runs importing that app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


ACTIVE = frozenset({RunStatus.QUEUED, RunStatus.RUNNING})


class RunQuerySet(ScopedQuerySet):
    def about(self, obj: models.Model) -> RunQuerySet:
        return self.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))

    def active(self) -> RunQuerySet:
        return self.filter(status__in=ACTIVE)


class Run(models.Model):
    scope_unit_field = "unit"

    kind = models.CharField(_("类型"), max_length=64, db_index=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(default=0)
    # A fixed phrase in the source language, translated when shown (see progress.py).
    progress_message = models.CharField(max_length=200, blank=True)
    progress_params = models.JSONField(default=dict, blank=True)
    # A stable code and its params, told in the reader's language by the kind (never a
    # traceback: that goes to the log).
    error_code = models.CharField(max_length=64, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The starter's language: the worker speaks it (file headers, sentences in results).
    language = models.CharField(max_length=16, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    cancel_requested = models.BooleanField(default=False)

    objects = RunQuerySet.as_manager()

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "kind"], name="runs_target_idx"),
            models.Index(fields=["created_by", "created_at"], name="runs_creator_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="runs_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def is_interrupted(self) -> bool:
        """Running, but the worker has not reported for longer than RUNS_STALE_AFTER: it died
        (a restart, a killed process). Shown as interrupted; it can be retried."""
        if self.status != RunStatus.RUNNING:
            return False
        beat = self.heartbeat_at or self.started_at or self.created_at
        return beat < timezone.now() - stale_after()

    @property
    def percent(self) -> int | None:
        if self.status == RunStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return None
        return min(100, int(100 * self.progress_done / self.progress_total))


def stale_after():
    import datetime as dt

    return dt.timedelta(seconds=getattr(settings, "RUNS_STALE_AFTER", 900))


def _file_path(instance: RunFile, filename: str) -> str:
    return f"runs/{instance.run.unit_id}/{instance.run_id}/{filename}"


class RunFile(models.Model):
    """An output file of a run, stored through the default storage (local or S3)."""

    scope_unit_field = "run__unit"

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(upload_to=_file_path, max_length=300)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务文件")
        verbose_name_plural = _("任务文件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
