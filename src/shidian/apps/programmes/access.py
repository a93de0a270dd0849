"""Who may see and manage programmes: the one place to replace with core.access once the
access spine lands (``can(user, MANAGE, programme)`` and ``Model.objects.restrict``).

Until then: the subtree rule of ScopedQuerySet for reading, and the account roles the spine
will give MANAGE (office, leading group) checked against the programme's running unit, plus the
programme's own office members.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from shidian.apps.core.scoping import sees_everything

MANAGING_ROLES = {"office", "leading_group"}


def may_create(user: Any) -> bool:
    """May ``user`` set up programmes at all (for the create page)?"""
    if sees_everything(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.unit_id is not None
        and user.role in MANAGING_ROLES
    )


def can_manage(user: Any, programme: Any) -> bool:
    if sees_everything(user):
        return True
    if _is_office_member(user, programme):
        return True
    return may_create(user) and programme.unit.is_within(user.unit)


def require_manage(user: Any, programme: Any) -> None:
    """Raise PermissionDenied (a styled 403) unless ``user`` may manage ``programme``;
    ``user=None`` is the system (demo, commands) and always may."""
    if user is None:
        return
    if not can_manage(user, programme):
        raise PermissionDenied


def _is_office_member(user: Any, programme: Any) -> bool:
    from shidian.apps.programmes.members import is_member
    from shidian.apps.programmes.models import MemberRole

    if not getattr(user, "is_authenticated", False) or programme.pk is None:
        return False
    return is_member(programme=programme, user=user, role=MemberRole.OFFICE)


def visible_programmes(user: Any):
    """Programmes ``user`` may read: the subtree rule, plus those naming them as members."""
    from shidian.apps.programmes.members import member_programme_ids
    from shidian.apps.programmes.models import Programme

    qs = Programme.objects.restrict(user)
    if getattr(user, "is_authenticated", False) and not sees_everything(user):
        qs = qs | Programme.objects.filter(  # scoping: ok programmes naming the user
            pk__in=member_programme_ids(user=user)
        )
    return qs.distinct()
