"""One submission mechanism (填报): a round invites units to fill a form by a deadline; each
invited unit has one submission (draft -> submitted -> returned with comments -> resubmitted
-> accepted) whose every saved version is kept as a revision.

What the form is belongs to the round's ``kind`` (see ``kinds.FormSpec``): the self-assessment
(自查赋分) is the kind "self_assessment" and pins a standard version; a later kind (creation
plan, periodic report, case) registers its own form and needs no new tables.

The tables are the ones campaigns created (``db_table``/``db_column`` keep their names), so
moving the models here touched no row; campaigns' Campaign, Sheet and SheetRevision are proxies.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet
from shidian.apps.submissions.states import EDITABLE, Status


class RoundStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class RoundQuerySet(ScopedQuerySet):
    pass


class Round(models.Model):
    kind = models.CharField(_("类型"), max_length=32, default="self_assessment", db_index=True)
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=200)
    # The self-assessment kind's standard version; other kinds may leave it empty.
    version = models.ForeignKey(
        "standards.StandardVersion",
        verbose_name=_("指标体系版本"),
        on_delete=models.PROTECT,
        related_name="campaigns",
        null=True,
        blank=True,
    )
    opens_on = models.DateField(_("开始日期"))
    deadline = models.DateTimeField(_("截止时间"))
    accept_late = models.BooleanField(_("接受逾期提交"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    # Scope: the invited units are the active schools under invite_root, of these types.
    invite_root = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("参评范围"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    invite_school_types = models.JSONField(_("学校类型"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(_("上次催报"), null=True, blank=True)
    # Until the office releases the reviews, every reviewer sees only their own (blind review).
    reviews_released_at = models.DateTimeField(_("评审结果公布时间"), null=True, blank=True)
    # The programme phase the round belongs to; null for a stand-alone round.
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("试点项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    phase = models.ForeignKey(
        "programmes.Phase",
        verbose_name=_("项目阶段"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rounds",
    )

    objects = RoundQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        db_table = "campaigns_campaign"
        verbose_name = _("填报活动")
        verbose_name_plural = _("填报活动")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The programme follows from the phase; kept as a column for the programme's queries
        # (its cockpit, grants on the programme), never set apart from it.
        if self.phase_id is not None:
            self.programme_id = self.phase.programme_id
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    @property
    def reviewers(self):
        """The people holding an expert grant on this round (see submissions.reviewers)."""
        from shidian.apps.submissions.reviewers import RoundReviewers

        return RoundReviewers(self)


class SubmissionQuerySet(ScopedQuerySet):
    pass


class Submission(models.Model):
    round = models.ForeignKey(
        Round,
        verbose_name=_("填报活动"),
        on_delete=models.CASCADE,
        related_name="sheets",
        db_column="campaign_id",
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.NOT_OPENED
    )
    version = models.PositiveIntegerField(_("版本号"), default=0)  # optimistic lock
    answers = models.JSONField(_("填报内容"), default=dict)
    # What the kind computes from the answers: per item, per group (for self-assessment the
    # dimensions), the total, a veto, how many items are answered.
    scores = models.JSONField(_("要点得分"), default=dict)
    dimension_scores = models.JSONField(_("一级指标得分"), default=dict)
    total = models.FloatField(_("自评总分"), default=0)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    answered = models.PositiveIntegerField(_("已填要点"), default=0)
    comments = models.JSONField(_("退回意见"), default=dict, blank=True)
    return_note = models.TextField(_("退回说明"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SubmissionQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        db_table = "campaigns_sheet"
        verbose_name = _("填报")
        verbose_name_plural = _("填报")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="sheet_campaign_unit_unique")
        ]
        indexes = [
            models.Index(fields=["round", "status"], name="sheet_campaign_status_idx"),
            models.Index(fields=["round", "-total"], name="sheet_campaign_total_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.unit}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def round_key(self) -> int:
        """The id its files are filed under (evidence/<round>/<submission>/)."""
        return self.round_id

    # The self-assessment pages and code written before the move name the round "campaign".
    @property
    def campaign(self) -> Round:
        return self.round

    @campaign.setter
    def campaign(self, value: Round) -> None:
        self.round = value

    @property
    def campaign_id(self) -> int:
        return self.round_id


class RevisionKind(models.TextChoices):
    SAVE = "save", _("保存")
    UPLOAD = "upload", _("上传表格")
    SUBMIT = "submit", _("提交")
    RETURN = "return", _("退回")
    ACCEPT = "accept", _("通过")


class RevisionQuerySet(ScopedQuerySet):
    pass


class Revision(models.Model):
    """Every saved state of a submission, never deleted: any two can be compared."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="revisions", db_column="sheet_id"
    )
    number = models.PositiveIntegerField(_("版本号"))
    kind = models.CharField(_("操作"), max_length=16, choices=RevisionKind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    answers = models.JSONField(_("填报内容"))
    total = models.FloatField(_("自评总分"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = RevisionQuerySet.as_manager()
    scope_unit_field = "submission__unit"

    class Meta:
        db_table = "campaigns_sheetrevision"
        verbose_name = _("填报版本")
        verbose_name_plural = _("填报版本")
        ordering = ["submission", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="sheet_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} #{self.number}"

    @property
    def sheet_id(self) -> int:
        return self.submission_id
