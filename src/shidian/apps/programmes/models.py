"""Programmes (试点项目): the set-up every later lifecycle step hangs on.

A programme is run by one unit and covers a scope (a subtree root plus unit filters). It has
phases with dates, cycles (yearly batches with targets) and one Participation row per unit in
scope, whose every move is kept as a ParticipationEvent. States and their rules live in the
Django-free ``states`` module.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shidian.apps.core.scoping import ScopedQuerySet
from shidian.apps.programmes.states import State


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("周调度")
    MONTHLY = "monthly", _("月总结")
    QUARTERLY = "quarterly", _("季点评")
    SEMESTER = "semester", _("学期总结")


class ParticipationState(models.TextChoices):
    ELIGIBLE = State.ELIGIBLE.value, _("可参与")
    RECOMMENDED = State.RECOMMENDED.value, _("推荐上报")
    SHORTLISTED = State.SHORTLISTED.value, _("入围")
    # A context of its own: "试点" alone is the product's name (Shidian) in the core catalog.
    PILOT = State.PILOT.value, pgettext_lazy("participation state", "试点")
    CONTROL = State.CONTROL.value, _("对照")
    ACCEPTED = State.ACCEPTED.value, _("通过验收")
    CONDITIONAL = State.CONDITIONAL.value, _("有条件通过")
    NOT_ACCEPTED = State.NOT_ACCEPTED.value, _("未通过验收")
    WITHDRAWN = State.WITHDRAWN.value, _("退出")


class ProgrammeQuerySet(ScopedQuerySet):
    pass


class Programme(models.Model):
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("起始年份"))
    end_year = models.PositiveSmallIntegerField(_("结束年份"))
    scope_root = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("参与范围"), on_delete=models.PROTECT, related_name="+"
    )
    # Unit filters of the scope; an empty list means "any". Levels default to schools.
    scope_levels = models.JSONField(_("单位层级"), default=list, blank=True)
    scope_school_types = models.JSONField(_("学校类型"), default=list, blank=True)
    scope_localities = models.JSONField(_("城乡"), default=list, blank=True)
    standard_versions = models.ManyToManyField(
        "standards.StandardVersion", verbose_name=_("指标体系版本"), blank=True, related_name="+"
    )
    cadences = models.JSONField(_("调度频次"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgrammeQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("试点项目")
        verbose_name_plural = _("试点项目")
        ordering = ["-start_year", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def cadence_labels(self) -> list[str]:
        labels = dict(Cadence.choices)
        return [str(labels.get(c, c)) for c in self.cadences]


class ChildQuerySet(ScopedQuerySet):
    pass


class Phase(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("试点项目"), on_delete=models.CASCADE, related_name="phases"
    )
    name = models.CharField(_("阶段名称"), max_length=60)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    objects = ChildQuerySet.as_manager()
    scope_unit_field = "programme__unit"

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["programme", "order", "starts_on", "pk"]

    def __str__(self) -> str:
        return self.name


class Cycle(models.Model):
    """A yearly batch (批次): cycle N of the programme with its target number of pilots."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("试点项目"), on_delete=models.CASCADE, related_name="cycles"
    )
    number = models.PositiveSmallIntegerField(_("批次"))
    year = models.PositiveSmallIntegerField(_("年度"))
    target = models.PositiveIntegerField(_("目标数"))

    objects = ChildQuerySet.as_manager()
    scope_unit_field = "programme__unit"

    class Meta:
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="cycle_programme_number"),
            models.UniqueConstraint(fields=["programme", "year"], name="cycle_programme_year"),
        ]

    def __str__(self) -> str:
        return str(_("第%(n)s批（%(year)s年）") % {"n": self.number, "year": self.year})


class Participation(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("试点项目"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=ParticipationState.choices,
        default=ParticipationState.ELIGIBLE,
    )
    batch = models.ForeignKey(
        Cycle,
        verbose_name=_("批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("纳入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ChildQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("参与单位")
        verbose_name_plural = _("参与单位")
        constraints = [
            models.UniqueConstraint(fields=["programme", "unit"], name="participation_unique")
        ]
        indexes = [models.Index(fields=["programme", "state", "batch"], name="part_state_idx")]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.unit_id}:{self.state}"


class ParticipationEvent(models.Model):
    """One move of one unit: who, when, why, from which position to which."""

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="events"
    )
    from_state = models.CharField(_("原状态"), max_length=16, choices=ParticipationState.choices)
    to_state = models.CharField(_("新状态"), max_length=16, choices=ParticipationState.choices)
    # Batch numbers, not foreign keys: the history stays readable if a cycle is edited later.
    from_batch = models.PositiveSmallIntegerField(_("原批次"), null=True, blank=True)
    to_batch = models.PositiveSmallIntegerField(_("新批次"), null=True, blank=True)
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = ChildQuerySet.as_manager()
    scope_unit_field = "participation__unit"

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} -> {self.to_state}"
