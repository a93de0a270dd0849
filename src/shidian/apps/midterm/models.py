"""Mid-term evaluation (初评、查漏补缺): scored rounds and their gaps.

A ``MidtermRound`` belongs to a programme and one of its batches and wraps one
self-assessment round (a campaign inviting that batch's pilots): the schools score themselves
against the standard through the submission mechanism, then experts (released reviews) or the
office (its own reviews) score the sheets, and the gaps to the acceptance threshold are read
from those scores. ``GapItem`` records which gap became which rectification item, so turning
the gaps into items twice never issues one twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shidian.apps.core.scoping import ScopedQuerySet


class Scorer(models.TextChoices):
    EXPERTS = "experts", _("专家评分（公布后的评审结果）")
    OFFICE = "office", _("项目办评分")


class Level(models.IntegerChoices):
    DIMENSION = 1, pgettext_lazy("midterm level", "一级指标")
    INDICATOR = 2, pgettext_lazy("midterm level", "二级指标")


class MidtermRound(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("试点项目"),
        on_delete=models.PROTECT,
        related_name="midterm_rounds",
    )
    cycle = models.ForeignKey(
        "programmes.Cycle", verbose_name=_("批次"), on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.OneToOneField(
        "submissions.Round",
        verbose_name=_("自查赋分"),
        on_delete=models.PROTECT,
        related_name="midterm",
    )
    name = models.CharField(_("名称"), max_length=200)
    scorer = models.CharField(_("评分方"), max_length=16, choices=Scorer.choices)
    level = models.PositiveSmallIntegerField(
        _("分析层级"), choices=Level.choices, default=Level.INDICATOR
    )
    # The acceptance threshold: each indicator must reach this share of its maximum, and the
    # total the pass mark (null: no pass mark); veto indicators fail a school below threshold.
    share = models.FloatField(_("指标达标比例"), default=0.6)
    pass_mark = models.FloatField(_("总分合格线"), null=True, blank=True)
    veto_codes = models.JSONField(_("否决指标"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "programme__unit"

    class Meta:
        verbose_name = _("中期初评")
        verbose_name_plural = _("中期初评")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class GapItem(models.Model):
    """One gap of one school turned into one rectification item."""

    midterm = models.ForeignKey(MidtermRound, on_delete=models.CASCADE, related_name="items")
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    indicator_code = models.CharField(_("指标编号"), max_length=64)
    indicator_name = models.CharField(_("指标"), max_length=200)
    score = models.FloatField(_("得分"))
    threshold = models.FloatField(_("达标线"))
    gap = models.FloatField(_("差距"))
    severity = models.CharField(_("严重程度"), max_length=16)
    # The rectification item (inspections.RectificationItem) by id: the contract returns the
    # item, the inspections app owns its model, and a plain id keeps the migration independent.
    item_id = models.PositiveBigIntegerField(_("整改事项"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("差距整改")
        verbose_name_plural = _("差距整改")
        ordering = ["midterm", "unit", "-gap"]
        constraints = [
            models.UniqueConstraint(
                fields=["midterm", "unit", "indicator_code"], name="midterm_gap_item_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.midterm_id} · {self.unit_id} · {self.indicator_code}"
