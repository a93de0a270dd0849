"""Creation plans (创建方案) and their task breakdown (任务分解表).

A pilot's ``Plan`` anchors everything of one unit in one programme. What the unit files is a
submission of the ``creation_plan`` kind (``PlanFiling`` ties each filing, the first plan or a
revision, to the plan). When the office approves a filing the plan's baseline is frozen as a
``PlanVersion`` with its ``PlanTask`` rows; a revision approved later is the next version,
effective from its approval date, and never rewrites an earlier one. Progress is recorded as
``TaskUpdate`` and ``GoalUpdate`` rows, never edited, each dated the day it was recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shidian.apps.core.scoping import ScopedQuerySet


class Weighting(models.TextChoices):
    WEIGHT = "weight", _("按任务权重加权")
    COUNT = "count", _("按任务个数平均")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    ON_TRACK = "on_track", _("按计划推进")
    DONE = "done", pgettext_lazy("plan task", "已完成")


class PlanQuerySet(ScopedQuerySet):
    pass


class Plan(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("试点项目"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    batch = models.ForeignKey(
        "programmes.Cycle", verbose_name=_("批次"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The API's ETag: the plans services touch it with every change of the plan's filings,
    # versions and progress. The database fills it too, so rows written by code that predates
    # the column (an app server of the previous release during a rolling upgrade) still insert.
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    objects = PlanQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("创建方案")
        verbose_name_plural = _("创建方案")
        constraints = [
            models.UniqueConstraint(fields=["programme", "unit"], name="plan_programme_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.programme}"


class PlanFiling(models.Model):
    """One submission filed for the plan: number 1 is the first plan, later ones revisions."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="filings")
    submission = models.OneToOneField(
        "submissions.Submission", on_delete=models.CASCADE, related_name="plan_filing"
    )
    number = models.PositiveIntegerField(_("方案版本"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanQuerySet.as_manager()
    scope_unit_field = "plan__unit"

    class Meta:
        verbose_name = _("方案报送")
        verbose_name_plural = _("方案报送")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_filing_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} #{self.number}"


class PlanVersion(models.Model):
    """The frozen baseline of one approval; effective from ``effective_on``."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("批准时间"))
    effective_on = models.DateField(_("生效日期"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    weighting = models.CharField(
        _("完成率计算方式"), max_length=8, choices=Weighting.choices, default=Weighting.WEIGHT
    )
    goals = models.JSONField(_("创建目标"), default=list)

    objects = PlanQuerySet.as_manager()
    scope_unit_field = "plan__unit"

    class Meta:
        verbose_name = _("方案版本")
        verbose_name_plural = _("方案版本")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"


class PlanTask(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField(_("任务编号"), max_length=32)
    title = models.CharField(_("任务名称"), max_length=200)
    owner = models.CharField(_("责任人"), max_length=100, blank=True)
    starts_on = models.DateField(_("开始日期"))
    due_on = models.DateField(_("完成期限"))
    deliverable = models.CharField(_("成果形式"), max_length=200, blank=True)
    indicator_code = models.CharField(_("对应指标"), max_length=64, blank=True)
    weight = models.FloatField(_("权重"), default=1)
    cancelled = models.BooleanField(_("已取消"), default=False)

    objects = PlanQuerySet.as_manager()
    scope_unit_field = "version__plan__unit"

    class Meta:
        verbose_name = _("方案任务")
        verbose_name_plural = _("方案任务")
        ordering = ["version", "starts_on", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="plan_task_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class TaskUpdate(models.Model):
    """A reported status of one task (by its stable code), dated the day it was recorded."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="task_updates")
    task_code = models.CharField(_("任务编号"), max_length=32)
    status = models.CharField(_("进展"), max_length=16, choices=TaskStatus.choices)
    reported_on = models.DateField(_("填报日期"))
    note = models.TextField(_("说明"), blank=True)
    evidence = models.ForeignKey(
        "evidence.Evidence",
        verbose_name=_("佐证材料"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    objects = PlanQuerySet.as_manager()
    scope_unit_field = "plan__unit"

    class Meta:
        verbose_name = _("任务进展")
        verbose_name_plural = _("任务进展")
        ordering = ["plan", "reported_on", "pk"]
        indexes = [models.Index(fields=["plan", "reported_on"], name="plan_update_day")]

    def __str__(self) -> str:
        return f"{self.task_code} {self.status} {self.reported_on}"


class GoalUpdate(models.Model):
    """A measured current value of one goal (by its code)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goal_updates")
    goal_code = models.CharField(_("目标编号"), max_length=32)
    value = models.FloatField(_("当前值"))
    reported_on = models.DateField(_("填报日期"))
    note = models.TextField(_("说明"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    objects = PlanQuerySet.as_manager()
    scope_unit_field = "plan__unit"

    class Meta:
        verbose_name = _("目标进展")
        verbose_name_plural = _("目标进展")
        ordering = ["plan", "reported_on", "pk"]

    def __str__(self) -> str:
        return f"{self.goal_code} {self.value} {self.reported_on}"
