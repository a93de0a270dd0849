"""Inspection visits, findings and rectification items (督查指导、整改).

A visit belongs to a programme and is run by its unit; its units are chosen directly, from the
bottom of a month's league table, or by a stratified random draw whose seed is kept in
``params``. A finding may cover several schools; one that needs action becomes one
rectification item per school, each closed on its own. Items can also be issued from elsewhere
(the mid-term evaluation) through ``services.rectification.rectification_issue``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shidian.apps.core.scoping import ScopedQuerySet
from shidian.apps.evidence.models import stored_name
from shidian.apps.inspections import states


class VisitStatus(models.TextChoices):
    SCHEDULED = states.SCHEDULED, _("已安排")
    IN_PROGRESS = states.IN_PROGRESS, _("督查中")
    COMPLETED = states.COMPLETED, pgettext_lazy("inspection visit", "已完成")
    CANCELLED = states.CANCELLED, pgettext_lazy("inspection visit", "已取消")


class SelectionMethod(models.TextChoices):
    DIRECT = "direct", _("直接指定")
    PERFORMANCE = "performance", _("按通报排名末位")
    RANDOM = "random", _("分层随机抽取")


class Severity(models.TextChoices):
    MINOR = "minor", _("轻微")
    NORMAL = "normal", _("一般")
    MAJOR = "major", _("严重")


class ItemStatus(models.TextChoices):
    ISSUED = states.ISSUED, _("待整改")
    ANSWERED = states.ANSWERED, _("待核验")
    CLOSED = states.CLOSED, _("已销号")
    REOPENED = states.REOPENED, _("重新整改")


class InspectionQuerySet(ScopedQuerySet):
    pass


class InspectionVisit(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="inspection_visits"
    )
    title = models.CharField(_("督查名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED
    )
    scheduled_on = models.DateField(_("督查日期"))
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("督查人员"), blank=True, related_name="+"
    )
    method = models.CharField(_("确定学校的方式"), max_length=16, choices=SelectionMethod.choices)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("督查")
        verbose_name_plural = _("督查")
        ordering = ["-scheduled_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class VisitUnit(models.Model):
    visit = models.ForeignKey(InspectionVisit, on_delete=models.CASCADE, related_name="visit_units")
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField(max_length=200, blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "unit"], name="inspection_visit_unit_once")
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}:{self.unit_id}"


class Finding(models.Model):
    visit = models.ForeignKey(InspectionVisit, on_delete=models.CASCADE, related_name="findings")
    indicator_code = models.CharField(_("指标"), max_length=64, blank=True)
    text = models.TextField(_("发现的问题"))
    needs_action = models.BooleanField(_("需要整改"), default=True)
    severity = models.CharField(
        _("严重程度"), max_length=8, choices=Severity.choices, default=Severity.NORMAL
    )
    units = models.ManyToManyField(
        "orgs.OrgUnit", through="FindingUnit", verbose_name=_("涉及学校"), related_name="+"
    )
    turned_at = models.DateTimeField(null=True, blank=True)  # when items were issued from it
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("督查发现")
        verbose_name_plural = _("督查发现")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:40]


class FindingUnit(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="finding_units")
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")

    objects = InspectionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["finding", "unit"], name="inspection_finding_unit_once")
        ]

    def __str__(self) -> str:
        return f"{self.finding_id}:{self.unit_id}"


def photo_path(instance: FindingPhoto, filename: str) -> str:
    return f"inspections/{instance.finding.visit_id}/{instance.finding_id}/{stored_name(filename)}"


def answer_path(instance: AnswerFile, filename: str) -> str:
    return f"rectification/{instance.answer.item_id}/{stored_name(filename)}"


class FindingPhoto(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class RectificationItem(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rectification_items",
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("整改学校"), on_delete=models.PROTECT, related_name="+"
    )
    # The unit that issued the item and verifies it (the programme's unit, or the issuer's).
    issuer_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("整改事项"), max_length=200)
    description = models.TextField(_("问题描述"), blank=True)
    indicator_code = models.CharField(_("指标"), max_length=64, blank=True)
    severity = models.CharField(
        _("严重程度"), max_length=8, choices=Severity.choices, default=Severity.NORMAL
    )
    due_on = models.DateField(_("整改期限"))
    evidence_required = models.TextField(_("须提交的佐证"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.ISSUED
    )
    source_type = models.CharField(max_length=100, blank=True)  # "app_label.model"
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    escalation_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    escalated_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="rect_status_due")]

    def __str__(self) -> str:
        return self.title

    def overdue(self, today) -> bool:
        return self.status in states.AWAITING_UNIT and self.due_on < today


class RectificationEvent(models.Model):
    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, blank=True, choices=ItemStatus.choices)
    to_status = models.CharField(max_length=16, choices=ItemStatus.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.from_status}->{self.to_status}"


class RectificationAnswer(models.Model):
    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("整改情况"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class AnswerFile(models.Model):
    answer = models.ForeignKey(RectificationAnswer, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=answer_path)
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=16)
    size = models.PositiveIntegerField(default=0)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name
