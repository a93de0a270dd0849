"""Periodic reports (周调度、月总结、季点评).

The office of a programme defines a ``ReportForm``: typed fields, rules between fields, a
period type with a due day and grace days, and the audience (pilots, or pilots and controls).
Its periods are real rows (``ReportPeriod``), generated from the period type and a
``SchoolCalendar`` (terms, holidays, vacations), so a week in the winter vacation exists but is
not expected. Each period is one ``submissions.Round`` (kind ``periodic_report``) with one
``Submission`` per expected unit: autosave, return and revisions come from the submission
mechanism. Submitted values are copied to ``ReportValue`` (one row per unit, period and field)
so completeness, indicators and pivots are indexed queries, not JSON scans.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shidian.apps.core.scoping import ScopedQuerySet


class PeriodType(models.TextChoices):
    WEEKLY = "weekly", pgettext_lazy("period type", "每周")
    MONTHLY = "monthly", pgettext_lazy("period type", "每月")
    QUARTERLY = "quarterly", pgettext_lazy("period type", "每季度")
    SEMESTER = "semester", pgettext_lazy("period type", "每学期")
    YEARLY = "yearly", pgettext_lazy("period type", "每年")


class Audience(models.TextChoices):
    PILOTS = "pilots", _("试点单位")
    PILOTS_AND_CONTROLS = "pilots_controls", _("试点单位和对照单位")


class FormStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("report form status", "草稿")
    PUBLISHED = "published", pgettext_lazy("report form status", "已发布")
    CLOSED = "closed", pgettext_lazy("report form status", "已停用")


class FieldType(models.TextChoices):
    NUMBER = "number", _("数值")
    PERCENT = "percent", _("百分比")
    YES_NO = "yes_no", _("是/否")
    CHOICE = "choice", _("选项")
    TEXT = "text", _("文本")
    FILE = "file", _("附件")


class RuleOperator(models.TextChoices):
    LE = "le", "≤"
    LT = "lt", "<"
    GE = "ge", "≥"
    GT = "gt", ">"
    EQ = "eq", "="
    NE = "ne", "≠"


class BreakKind(models.TextChoices):
    HOLIDAY = "holiday", _("节假日")
    VACATION = "vacation", _("假期")


class ReportsQuerySet(ScopedQuerySet):
    pass


class SchoolCalendar(models.Model):
    """A school year's calendar, kept by an office for its subtree: terms and breaks."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属单位"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportsQuerySet.as_manager()

    class Meta:
        verbose_name = _("校历")
        verbose_name_plural = _("校历")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class CalendarTerm(models.Model):
    """A semester (学期): the SEMESTER period type's periods are exactly these."""

    calendar = models.ForeignKey(SchoolCalendar, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(_("学期"), max_length=60)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    objects = ReportsQuerySet.as_manager()

    class Meta:
        verbose_name = _("学期")
        verbose_name_plural = _("学期")
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return self.name


class CalendarBreak(models.Model):
    """A holiday or vacation: a period wholly inside breaks (or outside terms) is not expected."""

    calendar = models.ForeignKey(SchoolCalendar, on_delete=models.CASCADE, related_name="breaks")
    kind = models.CharField(_("类型"), max_length=16, choices=BreakKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    objects = ReportsQuerySet.as_manager()

    class Meta:
        verbose_name = _("假期")
        verbose_name_plural = _("假期")
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return self.name


class ReportForm(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("试点项目"),
        on_delete=models.CASCADE,
        related_name="report_forms",
    )
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("填报说明"), blank=True)
    period_type = models.CharField(_("报送周期"), max_length=16, choices=PeriodType.choices)
    # Days after the period's end (weekly/monthly/...) when the report is due, and the grace
    # days after that in which it still counts as on time; later is late, never refused.
    due_days = models.PositiveSmallIntegerField(_("截止（期末后天数）"), default=3)
    grace_days = models.PositiveSmallIntegerField(_("宽限天数"), default=2)
    audience = models.CharField(
        _("报送对象"), max_length=16, choices=Audience.choices, default=Audience.PILOTS
    )
    batch_numbers = models.JSONField(_("批次"), default=list, blank=True)  # empty: every batch
    calendar = models.ForeignKey(
        SchoolCalendar,
        verbose_name=_("校历"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forms",
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    prefill = models.BooleanField(_("按上期预填"), default=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=FormStatus.choices, default=FormStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportsQuerySet.as_manager()

    class Meta:
        verbose_name = _("报表")
        verbose_name_plural = _("报表")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class ReportField(models.Model):
    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="fields")
    code = models.CharField(_("代码"), max_length=32)
    label = models.CharField(_("名称"), max_length=200)
    type = models.CharField(_("类型"), max_length=16, choices=FieldType.choices)
    choices = models.JSONField(_("选项"), default=list, blank=True)  # CHOICE: list of labels
    unit_label = models.CharField(_("计量单位"), max_length=20, blank=True)
    required = models.BooleanField(_("必填"), default=True)
    # "Not applicable" is an answer of its own, distinct from zero.
    allow_na = models.BooleanField(_("允许“不适用”"), default=False)
    minimum = models.FloatField(_("最小值"), null=True, blank=True)
    maximum = models.FloatField(_("最大值"), null=True, blank=True)
    prefill = models.BooleanField(_("按上期预填"), default=False)
    help_text = models.CharField(_("说明"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    objects = ReportsQuerySet.as_manager()

    class Meta:
        verbose_name = _("报表字段")
        verbose_name_plural = _("报表字段")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="report_field_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class ReportRule(models.Model):
    """``left op right`` where each side is a field code or a number, e.g. connected <= rooms."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="rules")
    left = models.CharField(_("左项"), max_length=32)
    operator = models.CharField(_("关系"), max_length=4, choices=RuleOperator.choices)
    right = models.CharField(_("右项"), max_length=32)
    message = models.CharField(_("提示"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ReportsQuerySet.as_manager()

    class Meta:
        verbose_name = _("校验规则")
        verbose_name_plural = _("校验规则")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.left} {self.get_operator_display()} {self.right}"


class ReportPeriod(models.Model):
    """One period of a form (2026-W09, 2026-03, 2026-Q1, a term, 2026): real, dated, and
    either expected or not (a vacation week is a period nobody owes)."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="periods")
    key = models.CharField(_("期别"), max_length=20)  # 2026-W09 / 2026-03 / 2026-Q1 / 2026-S2
    label = models.CharField(_("名称"), max_length=60)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    due_on = models.DateField(_("截止日期"))
    closes_on = models.DateField(_("宽限截止"))  # due_on + grace days: later is late
    expected = models.BooleanField(_("需报送"), default=True)
    not_expected_reason = models.CharField(_("免报原因"), max_length=60, blank=True)
    round = models.OneToOneField(
        "submissions.Round",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_period",
    )

    objects = ReportsQuerySet.as_manager()

    class Meta:
        verbose_name = _("报送期")
        verbose_name_plural = _("报送期")
        ordering = ["form", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="report_period_key_unique")
        ]
        indexes = [models.Index(fields=["form", "ends_on"], name="report_period_end_idx")]

    def __str__(self) -> str:
        return self.label


class ReportValue(models.Model):
    """One submitted value: copied from the submission on submit (and on resubmit), so
    aggregates read an indexed table. Zero is ``number=0``; not applicable is ``na=True``."""

    period = models.ForeignKey(ReportPeriod, on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey(ReportField, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.CASCADE, related_name="+"
    )
    number = models.FloatField(null=True, blank=True)  # number, percent (0-100), yes/no as 1/0
    text = models.TextField(blank=True)  # text, choice label, file name
    na = models.BooleanField(default=False)

    objects = ReportsQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("报表数据")
        verbose_name_plural = _("报表数据")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "field"], name="report_value_submission_field"
            )
        ]
        indexes = [
            # Covering (PostgreSQL): a pivot reads the values from the index alone.
            models.Index(
                fields=["field", "period", "unit"],
                name="report_value_field_idx",
                include=["number", "na"],
            ),
            models.Index(fields=["period", "unit"], name="report_value_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.field_id}@{self.period_id}:{self.unit_id}"
