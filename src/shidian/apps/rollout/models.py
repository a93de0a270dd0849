"""Roll-out plans (推广计划): from the remaining ranked candidates the office picks the next
batch's schools and pairs each with an accepted pilot that will lead it (辐射带动), within a
distance limit and a maximum load per pilot. Approved, the plan becomes the next cycle's
participation: the schools become pilots of that batch, and the pairs stay here (lead → school).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    PENDING = "pending", _("待审批")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已批准")


class PlanQuerySet(ScopedQuerySet):
    pass


class RolloutPlan(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("试点项目"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("推广年度"))
    max_km = models.FloatField(_("距离上限（公里）"), default=30)
    max_load = models.PositiveSmallIntegerField(_("每所试点最多带动"), default=3)
    status = models.CharField(
        _("状态"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    # The batch the schools joined on approval.
    cycle = models.ForeignKey(
        "programmes.Cycle",
        verbose_name=_("批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanQuerySet.as_manager()
    scope_unit_field = "programme__unit"

    class Meta:
        verbose_name = _("推广计划")
        verbose_name_plural = _("推广计划")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def editable(self) -> bool:
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


class RolloutSchool(models.Model):
    """One school of the next batch and the pilot that leads it."""

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="schools")
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    score = models.FloatField(_("得分"), null=True, blank=True)
    lead = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("带动试点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    km = models.FloatField(_("距离（公里）"), null=True, blank=True)
    by_hand = models.BooleanField(_("手动调整"), default=False)

    objects = PlanQuerySet.as_manager()
    scope_unit_field = "plan__programme__unit"

    class Meta:
        verbose_name = _("推广学校")
        verbose_name_plural = _("推广学校")
        ordering = ["rank", "unit__code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="rollout_school_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.unit_id}->{self.lead_id}"


class RolloutEvent(models.Model):
    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("提交审批")
        APPROVED = "approved", _("批准")
        RETURNED = "returned", _("退回")

    plan = models.ForeignKey(RolloutPlan, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    comment = models.CharField(_("意见"), max_length=1000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    objects = PlanQuerySet.as_manager()
    scope_unit_field = "plan__programme__unit"

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.action}"
