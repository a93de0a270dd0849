"""Self-assessment campaigns (自查赋分): a campaign pins a published standard version and invites
units; each invited unit has one sheet whose answers, scores and every saved revision are kept.

Answers and scores live on the sheet as JSON (item code -> value): a save is one row update,
which keeps autosave and bulk ingest fast; cross-sheet figures (weakest items, the national
aggregate) expand the JSON in the database (see selectors.item_averages).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.accounts.models import Role
from shidian.apps.core.scoping import ScopedQuerySet, sees_everything


def reviews_only(user: Any) -> bool:
    """Experts are invited to review, not to follow the county: they read the sheets of the
    campaigns naming them as reviewers and nothing else of their subtree (no dashboards)."""
    return getattr(user, "role", None) == Role.EXPERT and not sees_everything(user)


def reviewing(user: Any) -> models.QuerySet:
    """Ids of the campaigns naming ``user`` as a reviewer (a subquery)."""
    return Campaign.reviewers.through.objects.filter(user_id=user.pk).values("campaign_id")


class CampaignScopedQuerySet(ScopedQuerySet):
    """Rows of campaigns; who sees which is decided by campaigns/policies.py."""


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class CampaignQuerySet(CampaignScopedQuerySet):
    pass


class Campaign(models.Model):
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=200)
    version = models.ForeignKey(
        "standards.StandardVersion",
        verbose_name=_("指标体系版本"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    opens_on = models.DateField(_("开始日期"))
    deadline = models.DateTimeField(_("截止时间"))
    accept_late = models.BooleanField(_("接受逾期提交"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    invite_root = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("参评范围"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    invite_school_types = models.JSONField(_("学校类型"), default=list, blank=True)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("评审专家"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(_("上次催报"), null=True, blank=True)
    # Until the office releases the reviews, every reviewer sees only their own (blind review).
    reviews_released_at = models.DateTimeField(_("评审结果公布时间"), null=True, blank=True)

    objects = CampaignQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_campaign_field = "pk"

    class Meta:
        verbose_name = _("自查赋分")
        verbose_name_plural = _("自查赋分")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class SheetStatus(models.TextChoices):
    NOT_OPENED = "not_opened", _("未填报")
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    RESUBMITTED = "resubmitted", _("已重新提交")
    ACCEPTED = "accepted", _("已通过")


EDITABLE = {SheetStatus.NOT_OPENED, SheetStatus.DRAFT, SheetStatus.RETURNED}
SUBMITTED = {SheetStatus.SUBMITTED, SheetStatus.RESUBMITTED, SheetStatus.ACCEPTED}


class SheetQuerySet(CampaignScopedQuerySet):
    pass


class Sheet(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("自查赋分"), on_delete=models.CASCADE, related_name="sheets"
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=SheetStatus.choices, default=SheetStatus.NOT_OPENED
    )
    version = models.PositiveIntegerField(_("版本号"), default=0)  # optimistic lock
    answers = models.JSONField(_("填报内容"), default=dict)
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

    objects = SheetQuerySet.as_manager()
    scope_unit_field = "unit"
    scope_campaign_field = "campaign"

    class Meta:
        verbose_name = _("自查表")
        verbose_name_plural = _("自查表")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="sheet_campaign_unit_unique")
        ]
        indexes = [
            models.Index(fields=["campaign", "status"], name="sheet_campaign_status_idx"),
            models.Index(fields=["campaign", "-total"], name="sheet_campaign_total_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.unit}"

    @property
    def round_key(self) -> int:
        """The id its files are filed under (evidence/<round>/<sheet>/)."""
        return self.campaign_id

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE


class RevisionKind(models.TextChoices):
    SAVE = "save", _("保存")
    UPLOAD = "upload", _("上传表格")
    SUBMIT = "submit", _("提交")
    RETURN = "return", _("退回")
    ACCEPT = "accept", _("通过")


class SheetRevisionQuerySet(CampaignScopedQuerySet):
    pass


class SheetRevision(models.Model):
    """Every saved state of a sheet, never deleted: any two can be compared."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("版本号"))
    kind = models.CharField(_("操作"), max_length=16, choices=RevisionKind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=SheetStatus.choices)
    answers = models.JSONField(_("填报内容"))
    total = models.FloatField(_("自评总分"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = SheetRevisionQuerySet.as_manager()
    scope_unit_field = "sheet__unit"
    scope_campaign_field = "sheet__campaign"

    class Meta:
        verbose_name = _("自查表版本")
        verbose_name_plural = _("自查表版本")
        ordering = ["sheet", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "number"], name="sheet_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.sheet_id} #{self.number}"


# Moved to their own apps; importable from here for code written before (and for the
# migrations that name evidence_path).
from shidian.apps.evidence.models import Evidence, evidence_path  # noqa: E402, F401
from shidian.apps.notifications.models import Notification  # noqa: E402, F401
from shidian.apps.reviews.models import Review  # noqa: E402, F401
