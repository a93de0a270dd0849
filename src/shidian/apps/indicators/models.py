"""Indicators across units and balance between schools (覆盖率、校际均衡).

An ``Indicator`` is a named figure an office watches across the units of its subtree: either a
unit attribute (share of schools with fibre, multimedia classrooms over classrooms...) or a
report field of a programme's periodic report with a measure (sum, mean, count, yes, share of
yes), optionally divided by a second field of the same form (a ratio of sums). It belongs to a
unit (the office's) and optionally to a programme; the pages compute it on demand: nothing
derived is stored, so a figure is never stale.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shidian.apps.core.scoping import ScopedQuerySet
from shidian.apps.indicators.attributes import Attribute


class Source(models.TextChoices):
    ATTRIBUTE = "attribute", _("单位基础信息")
    REPORT_FIELD = "report_field", _("报表字段")


class Measure(models.TextChoices):
    SUM = "sum", pgettext_lazy("indicator measure", "合计")
    MEAN = "mean", pgettext_lazy("indicator measure", "平均")
    COUNT = "count", pgettext_lazy("indicator measure", "填报数")
    YES = "yes", pgettext_lazy("indicator measure", "“是”的个数")
    SHARE_YES = "share_yes", pgettext_lazy("indicator measure", "“是”的占比")


class IndicatorQuerySet(ScopedQuerySet):
    pass


class Indicator(models.Model):
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("所属单位"), on_delete=models.CASCADE, related_name="+"
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("试点项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("数据来源"), max_length=16, choices=Source.choices)
    attribute = models.CharField(
        _("基础信息指标"), max_length=32, choices=Attribute.choices, blank=True
    )
    report_field = models.ForeignKey(
        "reports.ReportField",
        verbose_name=_("报表字段"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    measure = models.CharField(_("统计方式"), max_length=16, choices=Measure.choices, blank=True)
    denominator_field = models.ForeignKey(
        "reports.ReportField",
        verbose_name=_("分母字段"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("填写时按“字段合计 ÷ 分母字段合计”计算比率。"),
    )
    unit_label = models.CharField(_("计量单位"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IndicatorQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("监测指标")
        verbose_name_plural = _("监测指标")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="indicator_unit_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ratio(self) -> bool:
        return self.denominator_field_id is not None
