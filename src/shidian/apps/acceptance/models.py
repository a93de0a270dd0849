"""Acceptance rounds (验收).

An ``AcceptanceRound`` belongs to a programme and one of its batches and wraps one submission
round of kind ``acceptance_report``: each pilot of the batch files its summary report (总结报告)
and its archive checklist (档案整理) there. The round's reviewers (expert grants on that round,
``submissions.reviewers``) score each pilot as ``reviews.Review`` rows on its submission. The
office may assign the panel's experts to pilots (``Assignment``): from then on each expert's
grant is narrowed to their pilots and only the assigned experts' submitted scores count. The
leading group's confirmation writes one ``Verdict`` per pilot (proposed and final, with the
reasons), moves participations and issues rectification items for conditional passes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet


class Status(models.TextChoices):
    OPEN = "open", _("进行中")
    CONFIRMED = "confirmed", _("已确认")


class Outcome(models.TextChoices):
    PASS = "pass", _("通过")
    CONDITIONAL = "conditional", _("有条件通过")
    FAIL = "fail", _("不通过")


class AcceptanceRound(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("试点项目"),
        on_delete=models.PROTECT,
        related_name="acceptance_rounds",
    )
    cycle = models.ForeignKey(
        "programmes.Cycle", verbose_name=_("批次"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        "standards.StandardVersion",
        verbose_name=_("指标体系版本"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    round = models.OneToOneField(
        "submissions.Round",
        verbose_name=_("报送轮次"),
        on_delete=models.PROTECT,
        related_name="acceptance",
    )
    name = models.CharField(_("名称"), max_length=200)
    pass_threshold = models.FloatField(_("通过分数线"))
    conditional_threshold = models.FloatField(_("有条件通过分数线"), null=True, blank=True)
    spread_limit = models.FloatField(_("专家分差上限"), default=10)
    # [{"code": "D6.2.1", "text": "..."}]: the standard's veto items chosen, or the office's own.
    veto_items = models.JSONField(_("否决项"), default=list, blank=True)
    # The archive documents every pilot must hand in (names, in order).
    documents = models.JSONField(_("档案清单"), default=list, blank=True)
    # The experts named on the round (the panel); those holding an expert grant on the round
    # count too. Assignments pick from them.
    panel = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("验收专家组"), blank=True, related_name="+"
    )
    per_pilot = models.PositiveSmallIntegerField(_("每校专家数"), default=2)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "programme__unit"

    class Meta:
        verbose_name = _("验收")
        verbose_name_plural = _("验收")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def veto_codes(self) -> list[str]:
        return [v["code"] for v in self.veto_items]


class Assignment(models.Model):
    """Expert ``expert`` scores pilot ``unit``; ``grant`` is their expert grant on the round
    narrowed to the pilot (as selection's ``ExpertAssignment``)."""

    acceptance = models.ForeignKey(
        AcceptanceRound, on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="+"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("专家"), on_delete=models.CASCADE, related_name="+"
    )
    grant = models.ForeignKey(
        "core.Grant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_hand = models.BooleanField(_("人工调整"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("评分分配")
        verbose_name_plural = _("评分分配")
        ordering = ["acceptance", "unit__code", "expert__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["acceptance", "unit", "expert"], name="acceptance_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}<-{self.expert_id}"


class Verdict(models.Model):
    """The confirmed verdict on one pilot: what the system proposed, what the leading group
    decided and why."""

    acceptance = models.ForeignKey(
        AcceptanceRound, on_delete=models.CASCADE, related_name="verdicts"
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.FloatField(_("验收得分"), null=True, blank=True)
    spread = models.FloatField(_("专家分差"), null=True, blank=True)
    experts = models.PositiveSmallIntegerField(_("评分专家数"), default=0)
    proposed = models.CharField(_("系统建议"), max_length=16, blank=True)
    # [{"code": "below_pass", "params": {...}}] as the engine gave them.
    reasons = models.JSONField(_("理由"), default=list, blank=True)
    outcome = models.CharField(_("验收结论"), max_length=16, choices=Outcome.choices)
    override_reason = models.TextField(_("调整理由"), blank=True)
    due_on = models.DateField(_("整改期限"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("验收结论")
        verbose_name_plural = _("验收结论")
        ordering = ["acceptance", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["acceptance", "unit"], name="acceptance_verdict_unique")
        ]

    def __str__(self) -> str:
        return f"{self.acceptance_id} · {self.unit_id} · {self.outcome}"
