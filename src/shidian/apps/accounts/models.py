"""Accounts: every user belongs to one organisation unit and has one role there."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet


class Role(models.TextChoices):
    LEADING_GROUP = "leading_group", _("领导小组")
    OFFICE = "office", _("项目办公室")
    EXPERT = "expert", _("专家")
    ZONE = "zone", _("片区")
    COORDINATOR = "coordinator", _("学校联络人")
    COMMUNITY_LEAD = "community_lead", _("共同体牵头校")


class UserQuerySet(ScopedQuerySet):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, blank=True)
    full_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("手机"), max_length=32, blank=True)

    objects = ScopedUserManager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_office(self) -> bool:
        return self.role in {Role.OFFICE, Role.LEADING_GROUP} or self.is_superuser
