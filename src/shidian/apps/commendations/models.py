"""Commendations (通报表彰) of a programme: a list of nominations by category, each with a
reason, that the office assembles (lower offices propose, the office includes or declines),
the leading group approves or returns, and whose notice the documents app generates.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet


class Category(models.TextChoices):
    UNIT = "unit", _("先进单位")
    TEAM = "team", _("优秀团队")
    PERSON = "person", _("先进个人")


class Status(models.TextChoices):
    DRAFT = "draft", _("编制中")
    PENDING = "pending", _("待审批")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已批准")


class NominationStatus(models.TextChoices):
    PROPOSED = "proposed", _("待采纳")
    INCLUDED = "included", _("已列入")
    DECLINED = "declined", _("未采纳")


class CommendationQuerySet(ScopedQuerySet):
    pass


class Commendation(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("试点项目"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    notice = models.ForeignKey(
        "documents.Document",
        verbose_name=_("表彰通报"),
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

    objects = CommendationQuerySet.as_manager()
    scope_unit_field = "programme__unit"

    class Meta:
        verbose_name = _("通报表彰")
        verbose_name_plural = _("通报表彰")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.RETURNED)


class Nomination(models.Model):
    commendation = models.ForeignKey(
        Commendation, on_delete=models.CASCADE, related_name="nominations"
    )
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    # The commended unit (先进单位), or the unit the team or person belongs to.
    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("团队或个人姓名"), max_length=100, blank=True)
    role = models.CharField(_("职务"), max_length=100, blank=True)
    reason = models.TextField(_("推荐理由"), max_length=1000)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=NominationStatus.choices,
        default=NominationStatus.INCLUDED,
    )
    # The lower office (zone, county) that proposed it; null when the programme office added it.
    proposed_by_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("推荐单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decline_note = models.CharField(_("未采纳原因"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommendationQuerySet.as_manager()
    scope_unit_field = "commendation__programme__unit"

    class Meta:
        verbose_name = _("表彰推荐")
        verbose_name_plural = _("表彰推荐")
        ordering = ["category", "unit__code", "name", "pk"]

    def __str__(self) -> str:
        return self.name or str(self.unit_id)

    def display_name(self) -> str:
        return self.name if self.category != Category.UNIT else self.unit.name


class CommendationEvent(models.Model):
    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("提交审批")
        APPROVED = "approved", _("批准")
        RETURNED = "returned", _("退回")

    commendation = models.ForeignKey(Commendation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    comment = models.CharField(_("意见"), max_length=1000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    objects = CommendationQuerySet.as_manager()
    scope_unit_field = "commendation__programme__unit"

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.commendation_id}:{self.action}"
