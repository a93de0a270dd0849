"""Formations (共同体组建): an engine proposal, hand edits as versions, adoption."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.communities.models import CommunityType
from shidian.apps.core.scoping import ScopedQuerySet


class FormationStatus(models.TextChoices):
    SETUP = "setup", _("待测算")
    RUNNING = "running", _("测算中")
    DRAFT = "draft", _("草稿")
    ADOPTED = "adopted", _("已采用")


class FormationQuerySet(ScopedQuerySet):
    pass


class Formation(models.Model):
    owner_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("主管单位"), on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("试点项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("组建方案名称"), max_length=120)
    kind = models.CharField(
        _("共同体类型"), max_length=16, choices=CommunityType.choices, default=CommunityType.MERGED
    )
    # unit set, n_groups / size bounds, lead rule, features, max_km, apart/together code pairs
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=FormationStatus.choices, default=FormationStatus.SETUP
    )
    # {"unit_ids": [...], "labels": [...], "leads": [unit ids per community]}
    draft = models.JSONField(default=dict, blank=True)
    adopted_version = models.ForeignKey(
        "formations.FormationVersion",
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

    objects = FormationQuerySet.as_manager()
    scope_unit_field = "owner_unit"

    class Meta:
        verbose_name = _("共同体组建方案")
        verbose_name_plural = _("共同体组建方案")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class FormationVersion(models.Model):
    formation = models.ForeignKey(Formation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    # {"unit_ids": [...], "labels": [...], "leads": [unit ids per community]}
    assignment = models.JSONField(default=dict)
    note = models.CharField(_("版本说明"), max_length=500)
    balance = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FormationQuerySet.as_manager()
    scope_unit_field = "formation__owner_unit"

    class Meta:
        verbose_name = _("组建方案版本")
        verbose_name_plural = _("组建方案版本")
        ordering = ["formation_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["formation", "number"], name="formation_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.formation} v{self.number}"
