"""Signed, expiring, single-use invitation links.

The token is ``signing.dumps({"i": id, "n": nonce})`` with a timestamp and a salt of its own. The
signature makes it tamper-proof and dates it (expiry without a database lookup); the nonce ties it
to the invitation's current state, so a resent link supersedes the old one, and accepting or
revoking closes it for good (single use).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from shidian.apps.accounts.models import Invitation

SALT = "shidian.accounts.invitation"
DEFAULT_MAX_AGE = timedelta(days=7)


def max_age() -> timedelta:
    """How long an invitation link stays valid: settings.INVITATION_MAX_AGE (default 7 days)."""
    value = getattr(settings, "INVITATION_MAX_AGE", DEFAULT_MAX_AGE)
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


class InvitationTokenError(Exception):
    """Why a link cannot be used; ``message`` is shown to the visitor as is."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


MESSAGES = {
    "invalid": _("邀请链接无效：链接可能不完整或被修改过。请从邀请邮件中完整复制链接。"),
    "expired": _("邀请链接已过期。请联系邀请您的项目办公室重新发送邀请。"),
    "used": _("此邀请已被使用，账号已经创建。请直接登录；忘记密码可通过“忘记密码”重置。"),
    "revoked": _("此邀请已被撤销。如有疑问，请联系项目办公室。"),
    "superseded": _("此链接已失效，因为邀请已重新发送。请使用最新一封邀请邮件中的链接。"),
}


def _error(code: str) -> InvitationTokenError:
    return InvitationTokenError(code, str(MESSAGES[code]))


def make_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SALT, compress=True)


def read_token(token: str) -> Invitation:
    """The invitation a token opens, or InvitationTokenError saying why not.

    Looked up by primary key on purpose: the visitor is anonymous, and the signed id is the
    proof of access (the link is the credential), so no user scoping applies here.
    """
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired as exc:
        raise _error("expired") from exc
    except signing.BadSignature as exc:
        raise _error("invalid") from exc
    if not isinstance(payload, dict) or "i" not in payload or "n" not in payload:
        raise _error("invalid")
    invitation = Invitation.objects.select_related("unit").filter(pk=payload["i"]).first()
    if invitation is None:
        raise _error("invalid")
    if invitation.accepted_at is not None:
        raise _error("used")
    if invitation.revoked_at is not None:
        raise _error("revoked")
    if invitation.nonce != payload["n"]:
        raise _error("superseded")
    return invitation
