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


class InvitationQuerySet(ScopedQuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """An invitation to join a unit with a role, accepted once through a signed, expiring link.

    The link carries the invitation's id and ``nonce``, signed with a timestamp. Resending draws a
    new nonce, so only the newest link works; accepting or revoking closes the invitation.
    """

    email = models.EmailField(_("电子邮箱"))
    full_name = models.CharField(_("姓名"), max_length=100, blank=True)
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("所属单位"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("邀请人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    nonce = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("有效期至"))
    send_count = models.PositiveSmallIntegerField(_("发送次数"), default=1)
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    accepted_user = models.OneToOneField(
        User,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation",
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("邀请")
        verbose_name_plural = _("邀请")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email"], name="invitation_email_idx")]

    def __str__(self) -> str:
        return self.email

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    def status(self, now=None) -> str:
        from django.utils import timezone

        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return "pending"

    def get_status_display(self) -> str:
        return str(INVITATION_STATUS_LABELS[self.status()])


INVITATION_STATUS_LABELS = {
    "pending": _("待接受"),
    "accepted": _("已接受"),
    "revoked": _("已撤销"),
    "expired": _("已过期"),
}


class AccountBatchQuerySet(ScopedQuerySet):
    pass


class AccountBatch(models.Model):
    """One run of "create an account per unit under X": who ran it, when, for which subtree.

    The accounts it created are the users of its activation codes (``codes``).
    """

    unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("范围"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    school_types = models.JSONField(_("学校类型"), default=list, blank=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_count = models.PositiveIntegerField(_("新建账号数"), default=0)
    skipped_count = models.PositiveIntegerField(_("跳过的单位数"), default=0)
    reissue_count = models.PositiveSmallIntegerField(_("重新生成次数"), default=0)

    objects = AccountBatchQuerySet.as_manager()
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("批量创建记录")
        verbose_name_plural = _("批量创建记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_role_display()} · {self.created_count}"


class ActivationCodeQuerySet(ScopedQuerySet):
    pass


class ActivationCode(models.Model):
    """The one-time code of an account created in bulk, stored only as a keyed HMAC.

    Re-issuing replaces the digest (the old code stops working); using it sets ``used_at``.
    """

    user = models.OneToOneField(
        User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="activation_code"
    )
    batch = models.ForeignKey(
        AccountBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="codes"
    )
    digest = models.CharField(max_length=64, editable=False)
    issued_at = models.DateTimeField(_("生成时间"))
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("激活时间"), null=True, blank=True)

    objects = ActivationCodeQuerySet.as_manager()
    scope_unit_field = "user__unit"

    class Meta:
        verbose_name = _("激活码")
        verbose_name_plural = _("激活码")
        indexes = [models.Index(fields=["batch", "used_at"], name="activation_batch_used_idx")]

    def __str__(self) -> str:
        return str(self.user)

    def status(self, now=None) -> str:
        from django.utils import timezone

        if self.used_at:
            return "activated"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return "pending"

    def get_status_display(self) -> str:
        return str(ACTIVATION_STATUS_LABELS[self.status()])


ACTIVATION_STATUS_LABELS = {
    "pending": _("未激活"),
    "activated": _("已激活"),
    "expired": _("激活码已过期"),
}
