"""Writes and checks of personal access tokens.

A token reads ``sd_<prefix>_<secret>``. The prefix finds the row; the whole token is compared
with the stored SHA-256 digest in constant time. The plain token is returned once, by
:func:`token_create`, and never stored.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.api import scopes as scope_rules
from shidian.apps.api.models import ApiToken
from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.services import audit_record

MAX_DAYS = 366
# Token creation is limited per person: a leaked session cannot mint tokens in bulk.
CREATE_LIMIT = 10
CREATE_WINDOW = datetime.timedelta(hours=1)
# Writing last_used_at on every call would turn each read into a write; once a minute is enough.
TOUCH_EVERY = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    plain: str


def _digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, user: Any, name: str, scopes: Iterable[str], days: int, now: datetime.datetime | None = None
) -> NewToken:
    """Create a token for ``user`` (the owner, signed in); the plain value is in the result."""
    now = now or timezone.now()
    name = (name or "").strip()
    errors = []
    if not name:
        errors.append(_("请填写令牌的用途。"))
    try:
        chosen = scope_rules.normalise(scopes)
    except ValueError as exc:
        errors.append(_("未知的权限范围：%(scopes)s") % {"scopes": exc})
        chosen = []
    if not chosen and not errors:
        errors.append(_("请至少选择一项权限范围。"))
    if not 1 <= days <= MAX_DAYS:
        errors.append(_("有效期须为 1 至 %(max)s 天。") % {"max": MAX_DAYS})
    if errors:
        raise ValidationError(errors)
    own = ApiToken.objects.filter(user=user)  # scoping: ok the owner's own tokens
    recent = own.filter(created_at__gte=now - CREATE_WINDOW).count()
    if recent >= CREATE_LIMIT:
        raise ValidationError(
            _("一小时内最多创建 %(n)s 个令牌，请稍后再试。") % {"n": CREATE_LIMIT}
        )
    prefix = secrets.token_hex(4)
    plain = f"sd_{prefix}_{secrets.token_urlsafe(30)}"
    token = ApiToken.objects.create(
        user=user,
        name=name[:80],
        prefix=prefix,
        digest=_digest(plain),
        scopes=chosen,
        expires_at=now + datetime.timedelta(days=days),
    )
    audit_record(
        actor=user,
        action="api.token_create",
        target=token,
        unit=user.unit,
        summary=f"{token.prefix} {token.name}",
        data={"scopes": chosen, "days": days},
    )
    return NewToken(token=token, plain=plain)


@transaction.atomic
def token_revoke(*, user: Any, token: ApiToken) -> ApiToken:
    require(user, MANAGE, token)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=user,
            action="api.token_revoke",
            target=token,
            unit=user.unit,
            summary=f"{token.prefix} {token.name}",
        )
    return token


def token_check(plain: str, *, now: datetime.datetime | None = None) -> ApiToken | None:
    """The live token ``plain`` names, or None (unknown, wrong secret, revoked, expired, or
    its owner deactivated)."""
    parts = (plain or "").split("_", 2)
    if len(parts) != 3 or parts[0] != "sd" or not parts[1]:
        return None
    rows = ApiToken.objects.select_related("user", "user__unit")
    token = rows.filter(prefix=parts[1]).first()  # scoping: ok the caller holds the secret
    if token is None or not hmac.compare_digest(token.digest, _digest(plain)):
        return None
    now = now or timezone.now()
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        this = ApiToken.objects.filter(pk=token.pk)  # scoping: ok the token itself
        this.update(last_used_at=now)
        token.last_used_at = now
    return token
