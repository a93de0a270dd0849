"""A programme's leading group and office members: Grants (leading_group_member /
office_member) on the programme. Nothing else in the app touches them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from shidian.apps.core.access import GrantRole
from shidian.apps.programmes.models import Programme


class MemberRole:
    LEADING_GROUP = GrantRole.LEADING_GROUP_MEMBER
    OFFICE = GrantRole.OFFICE_MEMBER


def member_candidates(*, programme_unit: Any) -> QuerySet:
    """Accounts that may be named: the active accounts of the running unit's subtree."""
    from shidian.apps.accounts.models import User

    return (
        User.objects.within(programme_unit)
        .filter(is_active=True)
        .select_related("unit")
        .order_by("unit__path", "username")
    )


def _grants(programme: Programme, role: str):
    from shidian.apps.core.models import Grant

    return Grant.objects.on_target(programme).active().filter(role=role, unit__isnull=True)


def members_of(*, programme: Programme, role: str) -> list[Any]:
    from shidian.apps.accounts.models import User

    ids = _grants(programme, role).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("username"))  # scoping: ok by programme


def members_set(*, programme: Programme, role: str, users: Iterable[Any], by: Any) -> None:
    """Make exactly ``users`` the ``role`` members: give the missing grants, revoke the others
    (each audited by core; called inside the programme service's transaction)."""
    from shidian.apps.core.services import grant_give, grant_revoke

    wanted = {u.pk: u for u in users}
    current = {g.user_id: g for g in _grants(programme, role).select_related("user")}
    for user_id, grant in current.items():
        if user_id not in wanted:
            grant_revoke(by=by, grant=grant)
    for user_id, user in wanted.items():
        if user_id not in current:
            grant_give(by=by, user=user, role=role, target=programme)


__all__ = ["MemberRole", "member_candidates", "members_of", "members_set"]
