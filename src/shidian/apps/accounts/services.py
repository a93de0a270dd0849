"""Writes owned by the accounts app: invitations and account status. Every write is audited."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.accounts import emails, tokens
from shidian.apps.accounts.models import Invitation, Role, User
from shidian.apps.accounts.permissions import role_fits_level
from shidian.apps.core.access import MANAGE, can
from shidian.apps.core.services import audit_record
from shidian.apps.orgs.models import OrgUnit
from shidian.textclean import clean_text

log = logging.getLogger(__name__)


def ensure_manages_accounts(actor: User, unit: OrgUnit) -> None:
    """Defence in depth: views pass scoped objects, services check again."""
    if not can(actor, MANAGE, unit):
        raise ValidationError(_("您无权管理该单位的账号。"), code="scope")


def _send_after_commit(invitation: Invitation, *, base_url: str, actor: User) -> None:
    token = tokens.make_token(invitation)
    transaction.on_commit(
        lambda: emails.send_invitation(
            invitation=invitation, token=token, base_url=base_url, inviter=actor
        ),
        robust=True,  # a mail server failure must not turn a saved invitation into an error page
    )


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    email: str,
    role: str,
    unit: OrgUnit,
    full_name: str = "",
    base_url: str,
    request: HttpRequest | None = None,
) -> Invitation:
    """Invite ``email`` to ``unit`` with ``role``; the e-mail leaves after the commit."""
    ensure_manages_accounts(actor, unit)
    email = User.objects.normalize_email(email.strip())
    if role not in Role.values:
        raise ValidationError(_("未知角色。"), code="role")
    if not role_fits_level(role, unit.level):
        raise ValidationError(
            _("“%(role)s”不能设在%(level)s一级的单位。")
            % {"role": Role(role).label, "level": unit.get_level_display()},
            code="level",
        )
    now = timezone.now()
    if (
        Invitation.objects.pending()
        .filter(email__iexact=email, unit=unit, expires_at__gt=now)
        .exists()
    ):
        raise ValidationError(
            _("已向该邮箱发出本单位的邀请且尚未接受，可在邀请列表中重新发送。"), code="duplicate"
        )
    invitation = Invitation.objects.create(
        email=email,
        full_name=clean_text(full_name),
        role=role,
        unit=unit,
        invited_by=actor,
        nonce=secrets.token_hex(16),
        sent_at=now,
        expires_at=now + tokens.max_age(),
    )
    audit_record(
        actor=actor,
        action="accounts.invite",
        target=invitation,
        unit=unit,
        summary=email,
        data={"email": email, "role": role, "unit": unit.code},
        request=request,
    )
    _send_after_commit(invitation, base_url=base_url, actor=actor)
    return invitation


def _ensure_pending(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise ValidationError(_("此邀请已被接受。"), code="accepted")
    if invitation.revoked_at is not None:
        raise ValidationError(_("此邀请已被撤销。"), code="revoked")


@transaction.atomic
def invitation_resend(
    *, actor: User, invitation: Invitation, base_url: str, request: HttpRequest | None = None
) -> Invitation:
    """Send a fresh link (the old one stops working) and restart the validity period."""
    ensure_manages_accounts(actor, invitation.unit)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _ensure_pending(invitation)
    now = timezone.now()
    invitation.nonce = secrets.token_hex(16)
    invitation.sent_at = now
    invitation.expires_at = now + tokens.max_age()
    invitation.send_count += 1
    invitation.save(update_fields=["nonce", "sent_at", "expires_at", "send_count"])
    audit_record(
        actor=actor,
        action="accounts.invite_resend",
        target=invitation,
        unit=invitation.unit,
        summary=invitation.email,
        data={"send_count": invitation.send_count},
        request=request,
    )
    _send_after_commit(invitation, base_url=base_url, actor=actor)
    return invitation


@transaction.atomic
def invitation_revoke(
    *, actor: User, invitation: Invitation, request: HttpRequest | None = None
) -> Invitation:
    ensure_manages_accounts(actor, invitation.unit)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _ensure_pending(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action="accounts.invite_revoke",
        target=invitation,
        unit=invitation.unit,
        summary=invitation.email,
        request=request,
    )
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    username: str,
    full_name: str,
    password: str,
    request: HttpRequest | None = None,
) -> User:
    """Create the invitee's account. The row lock makes a double submit create one account."""
    invitation = Invitation.objects.select_for_update().select_related("unit").get(pk=invitation.pk)
    _ensure_pending(invitation)
    if invitation.expires_at <= timezone.now():
        raise ValidationError(str(tokens.MESSAGES["expired"]), code="expired")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("该用户名已被使用，请换一个。"), code="username")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username,
                email=invitation.email,
                password=password,
                unit=invitation.unit,
                role=invitation.role,
                full_name=clean_text(full_name),
            )
    except IntegrityError as exc:
        raise ValidationError(_("该用户名已被使用，请换一个。"), code="username") from exc
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit_record(
        actor=user,
        action="accounts.invite_accept",
        target=user,
        unit=invitation.unit,
        summary=f"{user.username} · {invitation.email}",
        data={"invitation": invitation.pk, "role": invitation.role},
        request=request,
    )
    return user


def _other_active_office_accounts(user: User) -> Any:
    return User.objects.filter(unit_id=user.unit_id, role=Role.OFFICE, is_active=True).exclude(
        pk=user.pk
    )


@transaction.atomic
def user_deactivate(*, actor: User, user: User, request: HttpRequest | None = None) -> User:
    """Stop ``user`` from logging in (their sessions end at the next request)."""
    if user.unit is None:
        raise ValidationError(_("您无权管理该单位的账号。"), code="scope")
    ensure_manages_accounts(actor, user.unit)
    if user.pk == actor.pk:
        raise ValidationError(_("不能停用自己的账号。"), code="self")
    if user.is_superuser and not actor.is_superuser:
        raise ValidationError(_("不能停用系统管理员账号。"), code="superuser")
    if not user.is_active:
        raise ValidationError(_("该账号已经停用。"), code="inactive")
    if user.role == Role.OFFICE and not _other_active_office_accounts(user).exists():
        # A unit without an active programme-office account can no longer manage its own people.
        raise ValidationError(
            _("这是%(unit)s最后一个启用的项目办公室账号，请先邀请接替人员再停用。")
            % {"unit": user.unit.name},
            code="last_office",
        )
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="accounts.deactivate",
        target=user,
        unit=user.unit,
        summary=user.username,
        request=request,
    )
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User, request: HttpRequest | None = None) -> User:
    if user.unit is None:
        raise ValidationError(_("您无权管理该单位的账号。"), code="scope")
    ensure_manages_accounts(actor, user.unit)
    if user.is_superuser and not actor.is_superuser:
        raise ValidationError(_("不能启用系统管理员账号。"), code="superuser")
    if user.is_active:
        raise ValidationError(_("该账号已经启用。"), code="active")
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="accounts.reactivate",
        target=user,
        unit=user.unit,
        summary=user.username,
        request=request,
    )
    return user


def password_changed_record(*, user: User, via: str, request: HttpRequest | None = None) -> None:
    """Audit a password change (``via``: "change" while logged in, "reset" by e-mail link)."""
    audit_record(
        actor=user,
        action="accounts.password_reset" if via == "reset" else "accounts.password_change",
        target=user,
        unit=user.unit,
        summary=user.username,
        request=request,
    )
