"""Pilot selection (遴选): from a programme's self-assessment round to the approved list of
pilots by batch with their matched controls.

A Selection belongs to a programme and ranks the units by their submitted sheets of one round.
Each step keeps what it produced: zone quotas and recommendations, every shortlist run (kept, to
compare), the adopted shortlist, the expert panel and its assignments (each backed by an expert
grant on the round narrowed to the unit), discussion scores, every reconciliation, the batch
placements, every matching run and the adopted control pairs, and, on approval, a frozen version.
Participation states move through ``programmes.services`` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shidian.apps.core.scoping import ScopedQuerySet


class SelectionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("selection status", "进行中")
    PENDING = "pending", pgettext_lazy("selection status", "待审批")
    RETURNED = "returned", pgettext_lazy("selection status", "已退回")
    APPROVED = "approved", pgettext_lazy("selection status", "已批准")


class RunStatus(models.TextChoices):
    """The outcome of one engine run of a step (shortlist, matching)."""

    QUEUED = "queued", _("排队中")
    DONE = "done", _("已完成")
    INFEASIBLE = "infeasible", _("无可行解")
    FAILED = "failed", _("失败")


class SelectionQuerySet(ScopedQuerySet):
    pass


class Selection(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("试点项目"),
        on_delete=models.CASCADE,
        related_name="selections",
    )
    round = models.ForeignKey(
        "submissions.Round",
        verbose_name=_("自查活动"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=16, choices=SelectionStatus.choices, default=SelectionStatus.OPEN
    )
    recommend = models.BooleanField(_("片区推荐上报"), default=False)
    recommend_due = models.DateField(_("推荐截止日期"), null=True, blank=True)
    pilot_count = models.PositiveIntegerField(_("试点学校数"), default=0)
    # What the office adopted at each step (every run stays kept beside it).
    shortlist = models.ForeignKey(
        "ShortlistRun",
        verbose_name=_("采用的入围方案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reconciliation = models.ForeignKey(
        "Reconciliation",
        verbose_name=_("采用的汇总结果"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    match = models.ForeignKey(
        "MatchRun",
        verbose_name=_("采用的对照组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notice = models.ForeignKey(
        "documents.Document",
        verbose_name=_("公布通知"),
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

    objects = SelectionQuerySet.as_manager()
    scope_unit_field = "programme__unit"

    class Meta:
        verbose_name = _("试点遴选")
        verbose_name_plural = _("试点遴选")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def frozen(self) -> bool:
        """Pending and approved selections are frozen: nothing changes until returned."""
        return self.status in (SelectionStatus.PENDING, SelectionStatus.APPROVED)


class ChildQuerySet(ScopedQuerySet):
    pass


class _Child(models.Model):
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="+")

    objects = ChildQuerySet.as_manager()
    scope_unit_field = "selection__programme__unit"

    class Meta:
        abstract = True


class ZoneQuota(_Child):
    """How many candidates a zone may recommend (推荐名额)."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="zone_quotas")
    zone = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("片区"), on_delete=models.CASCADE, related_name="+"
    )
    quota = models.PositiveSmallIntegerField(_("推荐名额"))

    scope_unit_field = "zone"

    class Meta:
        verbose_name = _("推荐名额")
        verbose_name_plural = _("推荐名额")
        ordering = ["zone__path"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "zone"], name="zone_quota_unique")
        ]

    def __str__(self) -> str:
        return f"{self.zone_id}: {self.quota}"


class Recommendation(_Child):
    """A zone's (or the office's) recommendation of one school, with the reason."""

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="recommendations"
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="+"
    )
    zone = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("推荐单位"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    reason = models.CharField(_("推荐理由"), max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("推荐人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("推荐时间"), auto_now_add=True)

    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("推荐")
        verbose_name_plural = _("推荐")
        ordering = ["zone__path", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "unit"], name="recommendation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.selection_id}:{self.unit_id}"


class _EngineRun(_Child):
    """One kept run of an engine step: its inputs, outcome and report."""

    number = models.PositiveSmallIntegerField(_("序号"))
    run = models.ForeignKey(
        "runs.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    params = models.JSONField(_("参数"), default=dict)
    status = models.CharField(
        _("状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    result = models.JSONField(_("结果"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["selection", "-number"]


class ShortlistRun(_EngineRun):
    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="shortlist_runs"
    )

    class Meta(_EngineRun.Meta):
        verbose_name = _("入围测算")
        verbose_name_plural = _("入围测算")
        constraints = [
            models.UniqueConstraint(fields=["selection", "number"], name="shortlist_run_unique")
        ]

    def __str__(self) -> str:
        return f"{self.selection_id}#{self.number}"


class Shortlisted(_Child):
    """A unit of the adopted shortlist, with its rank and score in that run."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="shortlisted")
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="+"
    )
    rank = models.PositiveIntegerField(_("名次"))
    score = models.FloatField(_("自评总分"))
    forced_reason = models.CharField(_("指定入围理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("入围单位")
        verbose_name_plural = _("入围单位")
        ordering = ["selection", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "unit"], name="shortlisted_unique")
        ]

    def __str__(self) -> str:
        return f"{self.selection_id}:{self.unit_id}#{self.rank}"


class PanelMember(_Child):
    """An expert of the review panel (专家组); their organisation is their account's unit."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("专家"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    expertise = models.CharField(_("专业领域"), max_length=200, blank=True)
    min_load = models.PositiveSmallIntegerField(_("最少评审数"), null=True, blank=True)
    max_load = models.PositiveSmallIntegerField(_("最多评审数"), null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家")
        ordering = ["selection", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "user"], name="panel_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.selection_id}:{self.user_id}"


class ExpertAssignment(_Child):
    """Expert ``expert`` reviews unit ``unit``; ``grant`` is the expert grant on the round
    narrowed to the unit that lets them see and review its sheet."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="+"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("专家"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    grant = models.ForeignKey(
        "core.Grant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_hand = models.BooleanField(_("人工调整"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评审分配")
        verbose_name_plural = _("评审分配")
        ordering = ["selection", "unit__code", "expert__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "unit", "expert"], name="expert_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}<-{self.expert_id}"


class DiscussionScore(_Child):
    """An expert's second score after the panel discussed a flagged unit (合议)."""

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="discussion_scores"
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="+"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("专家"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    score = models.FloatField(_("合议后得分"))
    note = models.CharField(_("合议说明"), max_length=500)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("合议评分")
        verbose_name_plural = _("合议评分")
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "unit", "expert"], name="discussion_score_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}<-{self.expert_id}: {self.score:g}"


class Reconciliation(_Child):
    """One kept reconciliation of the panel's scores (engine.reconcile) and its ranking."""

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="reconciliations"
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    params = models.JSONField(_("参数"), default=dict)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评分汇总")
        verbose_name_plural = _("评分汇总")
        ordering = ["selection", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "number"], name="reconciliation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.selection_id}#{self.number}"


class BatchPlacement(_Child):
    """A chosen pilot and the programme cycle (batch) it starts in."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="placements")
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="+"
    )
    cycle = models.ForeignKey(
        "programmes.Cycle", verbose_name=_("批次"), on_delete=models.PROTECT, related_name="+"
    )
    rank = models.PositiveIntegerField(_("名次"))
    by_hand = models.BooleanField(_("人工调整"), default=False)

    class Meta:
        verbose_name = _("批次安排")
        verbose_name_plural = _("批次安排")
        ordering = ["selection", "cycle__number", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "unit"], name="batch_placement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}@{self.cycle_id}"


class MatchRun(_EngineRun):
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="match_runs")

    class Meta(_EngineRun.Meta):
        verbose_name = _("对照组匹配")
        verbose_name_plural = _("对照组匹配")
        constraints = [
            models.UniqueConstraint(fields=["selection", "number"], name="match_run_unique")
        ]

    def __str__(self) -> str:
        return f"{self.selection_id}#{self.number}"


class ControlPair(_Child):
    """A matched control of a pilot, from the adopted matching run."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="controls")
    pilot = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("试点学校"), on_delete=models.CASCADE, related_name="+"
    )
    control = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("对照学校"), on_delete=models.CASCADE, related_name="+"
    )
    distance = models.FloatField(_("距离"), null=True, blank=True)

    class Meta:
        verbose_name = _("对照配对")
        verbose_name_plural = _("对照配对")
        ordering = ["selection", "pilot__code", "control__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "pilot", "control"], name="control_pair_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pilot_id}~{self.control_id}"


class EventAction(models.TextChoices):
    SUBMITTED = "submitted", _("提交审批")
    APPROVED = "approved", _("批准")
    RETURNED = "returned", _("退回")


class SelectionEvent(_Child):
    """The approval history: who submitted, approved or returned, when and why."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=16, choices=EventAction.choices)
    comment = models.CharField(_("意见"), max_length=1000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        ordering = ["selection", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.selection_id}:{self.action}"


class SelectionVersion(_Child):
    """The approved list, batches and controls, frozen as they were approved."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本"))
    snapshot = models.JSONField(_("名单"))
    reason = models.CharField(_("说明"), max_length=1000, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("批准版本")
        verbose_name_plural = _("批准版本")
        ordering = ["selection", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "number"], name="selection_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.selection_id} v{self.number}"
