"""Writes owned by the core app."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from shidian.apps.core.clientip import client_ip
from shidian.apps.core.models import AuditEvent


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
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        unit=unit,
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        summary=summary[:300],
        data=data or {},
        ip_address=ip,
    )
