"""The audit log (who did what to which object, in which unit, when) and grants."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.access.actions import GrantRole
from shidian.apps.core.scoping import ScopedQuerySet


class AuditEventQuerySet(ScopedQuerySet):
    pass


class AuditEvent(models.Model):
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.summary}"


def target_label(target: models.Model | type[models.Model]) -> str:
    """How grants name a target's model: the concrete model, so a proxy and its base agree."""
    return target._meta.concrete_model._meta.label_lower


class GrantQuerySet(ScopedQuerySet):
    def active(self, on: datetime.date | None = None) -> GrantQuerySet:
        """Grants in force on ``on`` (today): not revoked, started, not ended."""
        day = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(starts_on__isnull=True) | models.Q(starts_on__lte=day),
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=day),
        )

    def on_target(self, target: models.Model) -> GrantQuerySet:
        return self.filter(target_type=target_label(target), target_id=target.pk)


class Grant(models.Model):
    """A role on one target (a programme, a round, a sheet) for one person, for a while.

    The role's actions (core.access.GRANT_ACTIONS) apply to the target and to every row whose
    policy names the target; ``unit`` narrows them to rows concerning that unit's subtree (an
    expert assigned to given schools of a round). ``owner_unit`` is the unit that runs the target:
    its office sees and manages the grant.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="grants",
    )
    role = models.CharField(_("角色"), max_length=32, choices=GrantRole.choices)
    target_type = models.CharField(_("对象类型"), max_length=64)
    target_id = models.PositiveBigIntegerField(_("对象编号"))
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("限定单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    owner_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("主管单位"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    starts_on = models.DateField(_("生效日期"), null=True, blank=True)
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("授权人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = GrantQuerySet.as_manager()
    scope_unit_field = "owner_unit"

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "target_type"], name="grant_user_type_idx"),
            models.Index(fields=["target_type", "target_id"], name="grant_target_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="grant_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} {self.target_type}#{self.target_id}"

    def is_active(self, on: datetime.date | None = None) -> bool:
        day = on or timezone.localdate()
        return (
            self.revoked_at is None
            and (self.starts_on is None or self.starts_on <= day)
            and (self.ends_on is None or self.ends_on >= day)
        )
