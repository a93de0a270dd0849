"""Monthly league tables, 督办 status and the bulletin (按月通报、末位督办).

A ``LeagueTable`` is one batch's ranking for one month ("YYYY-MM"); its rows keep the
components as computed then (a published table is frozen: later data never changes it). A
``SupervisionCase`` is one unit's 督办 record in a programme: its current level and, as
``SupervisionEvent`` rows, every move between levels with the month and the reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shidian.apps.core.scoping import ScopedQuerySet


class TableStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("league table", "草稿")
    PUBLISHED = "published", pgettext_lazy("league table", "已发布")


class CaseLevel(models.TextChoices):
    NONE = "none", pgettext_lazy("supervision level", "无")
    NOTICE = "notice", pgettext_lazy("supervision level", "提醒")
    WARNING = "warning", pgettext_lazy("supervision level", "预警")
    RED = "red", pgettext_lazy("supervision level", "红牌督办")
    MADE_UP = "made_up", pgettext_lazy("supervision level", "已改进")


class LeagueTable(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("试点项目"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    cycle = models.ForeignKey(
        "programmes.Cycle", verbose_name=_("批次"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.CharField(_("月份"), max_length=7)  # "YYYY-MM"
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The engine's Rules as JSON: weights, grade bands, bottom N, red thresholds.
    weights = models.JSONField(_("权重与规则"), default=dict)
    status = models.CharField(
        _("状态"), max_length=12, choices=TableStatus.choices, default=TableStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bulletin = models.ForeignKey(
        "documents.Document",
        verbose_name=_("通报"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "programme__unit"

    class Meta:
        verbose_name = _("月度排名表")
        verbose_name_plural = _("月度排名表")
        ordering = ["programme", "cycle__number", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "cycle", "month"], name="league_table_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.cycle_id}:{self.month}"

    @property
    def published(self) -> bool:
        return self.status == TableStatus.PUBLISHED


class LeagueRow(models.Model):
    table = models.ForeignKey(LeagueTable, on_delete=models.CASCADE, related_name="rows")
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    plan_rate = models.FloatField(_("计划完成率"), null=True, blank=True)
    scheduled = models.FloatField(_("序时进度"), null=True, blank=True)
    timeliness = models.FloatField(_("报送及时率"), null=True, blank=True)
    completeness = models.FloatField(_("报送完整率"), null=True, blank=True)
    goal_progress = models.FloatField(_("指标进展"), null=True, blank=True)
    score = models.FloatField(_("综合得分"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    grade = models.CharField(_("等级"), max_length=2, blank=True)
    behind = models.BooleanField(_("滞后于序时进度"), default=False)
    bottom = models.BooleanField(_("末位"), default=False)
    overdue = models.BooleanField(_("严重逾期"), default=False)
    late_tasks = models.PositiveIntegerField(_("逾期任务"), default=0)
    missing_reports = models.PositiveIntegerField(_("未报送"), default=0)
    # Components this unit has no value for ("plan_rate", ...): said on the page.
    missing = models.JSONField(default=list, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("排名")
        verbose_name_plural = _("排名")
        ordering = ["table", models.F("rank").asc(nulls_last=True), "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["table", "unit"], name="league_row_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.table_id}:{self.unit_id}"


class SupervisionCase(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("试点项目"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField(
        _("督办等级"), max_length=12, choices=CaseLevel.choices, default=CaseLevel.NONE
    )
    streak = models.PositiveSmallIntegerField(_("连续月数"), default=0)
    opened_month = models.CharField(_("首次督办月份"), max_length=7)
    month = models.CharField(_("最近更新月份"), max_length=7)
    reason = models.CharField(_("原因"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["programme", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "unit"], name="supervision_case_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.unit_id}:{self.level}"


class SupervisionEvent(models.Model):
    case = models.ForeignKey(SupervisionCase, on_delete=models.CASCADE, related_name="events")
    table = models.ForeignKey(
        LeagueTable, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    month = models.CharField(_("月份"), max_length=7)
    from_level = models.CharField(_("原等级"), max_length=12, choices=CaseLevel.choices)
    to_level = models.CharField(_("新等级"), max_length=12, choices=CaseLevel.choices)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "case__unit"

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["case", "month", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.month}:{self.to_level}"
