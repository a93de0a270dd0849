"""Reads of accounts and invitations, always through the user's scope."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shidian.apps.accounts.models import AccountBatch, ActivationCode, Invitation, User
from shidian.apps.core.access import MANAGE
from shidian.apps.orgs.models import OrgUnit


def user_list(
    *,
    viewer: Any,
    q: str = "",
    role: str = "",
    unit: OrgUnit | None = None,
    status: str = "",
) -> QuerySet[User]:
    """Accounts the viewer may see, filtered; ``unit`` means that unit's whole subtree."""
    qs = User.objects.restrict(viewer).select_related("unit")
    if q:
        qs = qs.filter(
            Q(username__icontains=q)
            | Q(full_name__icontains=q)
            | Q(email__icontains=q)
            | Q(unit__name__icontains=q)
        )
    if role:
        qs = qs.filter(role=role)
    if unit is not None:
        qs = qs.within(unit)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    return qs.order_by("unit__path", "role", "username")


def invitation_list(*, viewer: Any, status: str = "pending") -> QuerySet[Invitation]:
    qs = Invitation.objects.restrict(viewer).select_related("unit", "invited_by", "accepted_user")
    now = timezone.now()
    if status == "pending":
        qs = qs.pending().filter(expires_at__gt=now)
    elif status == "expired":
        qs = qs.pending().filter(expires_at__lte=now)
    elif status == "accepted":
        qs = qs.filter(accepted_at__isnull=False)
    elif status == "revoked":
        qs = qs.filter(revoked_at__isnull=False)
    return qs.order_by("-created_at")


def account_counts(*, viewer: Any, unit: OrgUnit) -> dict[str, int]:
    """Active accounts and open invitations in ``unit``'s subtree (within the viewer's scope)."""
    users = User.objects.restrict(viewer).within(unit)
    invitations = (
        Invitation.objects.restrict(viewer)
        .within(unit)
        .pending()
        .filter(expires_at__gt=timezone.now())
    )
    return {
        "active": users.filter(is_active=True).count(),
        "inactive": users.filter(is_active=False).count(),
        "pending_invitations": invitations.count(),
    }


def manageable_units(*, viewer: Any) -> QuerySet[OrgUnit]:
    """Active units whose accounts the viewer may manage (core.access MANAGE)."""
    return OrgUnit.objects.restrict(viewer, MANAGE).filter(is_active=True).order_by("path")


_USERNAME_CLEAN = re.compile(r"[^\w.@+-]")


def suggest_username(email: str) -> str:
    """A free username from the e-mail's local part: li.ming, li.ming2, li.ming3, ..."""
    base = _USERNAME_CLEAN.sub("", email.split("@", 1)[0])[:30] or "user"
    taken = {
        name.lower()
        for name in User.objects.filter(username__istartswith=base).values_list(
            "username", flat=True
        )
    }
    if base.lower() not in taken:
        return base
    n = 2
    while f"{base}{n}".lower() in taken:
        n += 1
    return f"{base}{n}"


def batch_list(*, viewer: Any) -> QuerySet[AccountBatch]:
    """Bulk-creation batches of the viewer's subtree with activated / not yet counts."""
    return (
        AccountBatch.objects.restrict(viewer, MANAGE)
        .select_related("unit", "created_by")
        .annotate(
            n_accounts=Count("codes"),
            n_activated=Count("codes", filter=Q(codes__used_at__isnull=False)),
            n_pending=Count("codes", filter=Q(codes__used_at__isnull=True)),
        )
        .order_by("-created_at", "-pk")
    )


def batch_accounts(*, batch: AccountBatch, viewer: Any, status: str = "") -> QuerySet:
    """The batch's accounts the viewer may see with their codes' status, in tree order."""
    qs = (
        ActivationCode.objects.restrict(viewer, MANAGE)
        .filter(batch=batch)
        .select_related("user", "user__unit")
        .order_by("user__unit__path", "user__username")
    )
    now = timezone.now()
    if status == "activated":
        qs = qs.filter(used_at__isnull=False)
    elif status == "pending":
        qs = qs.filter(used_at__isnull=True, expires_at__gt=now)
    elif status == "expired":
        qs = qs.filter(used_at__isnull=True, expires_at__lte=now)
    return qs
