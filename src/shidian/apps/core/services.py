"""Writes owned by the core app."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.clientip import client_ip
from shidian.apps.core.models import AuditEvent, Grant, target_label


def person_or_none(user: Any) -> Any:
    """The signed-in person behind a write, or None when the system writes (a task, a command,
    an anonymous caller): what a ``created_by`` / ``by`` column stores."""
    return user if getattr(user, "is_authenticated", False) else None


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    unit: Any = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Record one audit event. Call it inside the service's transaction so both land or neither.

    ``action`` is a stable dotted name ("orgs.import", "accounts.deactivate"); ``unit`` is the
    unit the event concerns, so office staff see the events of their subtree only.
    """
    if unit is None and target is not None:
        unit = target if target._meta.label == "orgs.OrgUnit" else getattr(target, "unit", None)
    ip = (client_ip(request) or None) if request is not None else None
    return AuditEvent.objects.create(
        actor=person_or_none(actor),
        unit=unit,
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        data=data or {},
        ip_address=ip,
    )


def _unit_along(obj: Any, lookup: str) -> Any:
    for part in [p for p in lookup.split("__") if p]:
        obj = getattr(obj, part)
    return obj


def grant_owner_unit(target: models.Model) -> Any:
    """The unit that runs ``target``: its policy's owner, else the unit it concerns."""
    from shidian.apps.core.access import policy_for

    policy = policy_for(type(target))
    return _unit_along(target, policy.owner if policy.owner is not None else policy.unit)


def grant_give(
    *,
    by: Any,
    user: Any,
    role: str,
    target: models.Model,
    unit: Any = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    note: str = "",
) -> Grant:
    """Give ``user`` the grant role ``role`` on ``target`` (``by`` must manage the target).

    Giving the same active grant twice returns the existing one; dates are updated.
    """
    from shidian.apps.core.access import MANAGE, GrantRole, forget_grants, require

    if role not in GrantRole.values:
        raise ValidationError(_("未知的授权角色。"), code="grant_role")
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError(_("截止日期不能早于生效日期。"), code="grant_dates")
    require(by, MANAGE, target)
    with transaction.atomic():
        grant = (
            Grant.objects.on_target(target)
            .filter(user=user, role=role, unit=unit, revoked_at__isnull=True)
            .first()
        )
        if grant is None:
            grant = Grant.objects.create(
                user=user,
                role=role,
                target_type=target_label(target),
                target_id=target.pk,
                unit=unit,
                owner_unit=grant_owner_unit(target),
                starts_on=starts_on,
                ends_on=ends_on,
                note=note[:200],
                granted_by=by if getattr(by, "is_authenticated", False) else None,
            )
        else:
            grant.starts_on, grant.ends_on, grant.note = starts_on, ends_on, note[:200]
            grant.save(update_fields=["starts_on", "ends_on", "note"])
        audit_record(
            actor=by,
            action="core.grant",
            target=grant,
            unit=grant.owner_unit,
            summary=f"{user} · {GrantRole(role).label} · {target}",
            data={
                "user": user.pk,
                "role": role,
                "target": f"{grant.target_type}#{grant.target_id}",
                "unit": unit.pk if unit is not None else None,
                "starts_on": starts_on.isoformat() if starts_on else None,
                "ends_on": ends_on.isoformat() if ends_on else None,
            },
        )
    forget_grants(user)
    return grant


def grant_revoke(*, by: Any, grant: Grant) -> None:
    """Revoke ``grant`` (``by`` must manage its target's owner unit). Revoking twice is a no-op."""
    from shidian.apps.core.access import MANAGE, forget_grants, require

    require(by, MANAGE, grant)
    if grant.revoked_at is not None:
        return
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.revoked_by = by if getattr(by, "is_authenticated", False) else None
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=by,
            action="core.grant_revoke",
            target=grant,
            unit=grant.owner_unit,
            summary=f"{grant.user} · {grant.get_role_display()}",
        )
    forget_grants(grant.user)
