"""A programme's leading group and office members.

They will be core Grants (role leading_group_member / office_member, target the programme) once
the access spine lands; until then they are ProgrammeMember rows. Nothing else touches either,
so the switch is this one file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from shidian.apps.programmes.models import MemberRole, Programme, ProgrammeMember


def member_candidates(*, programme_unit: Any) -> QuerySet:
    """Accounts that may be named: the active accounts of the running unit's subtree."""
    from shidian.apps.accounts.models import User

    return (
        User.objects.within(programme_unit)
        .filter(is_active=True)
        .select_related("unit")
        .order_by("unit__path", "username")
    )


def members_of(*, programme: Programme, role: str) -> list[Any]:
    from shidian.apps.accounts.models import User

    ids = ProgrammeMember.objects.filter(programme=programme, role=role).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("username"))  # scoping: ok by programme


def members_set(*, programme: Programme, role: str, users: Iterable[Any], by: Any) -> None:
    """Make exactly ``users`` the ``role`` members (called inside the service's transaction)."""
    wanted = {u.pk for u in users}
    current = set(
        ProgrammeMember.objects.filter(programme=programme, role=role).values_list(
            "user_id", flat=True
        )
    )
    ProgrammeMember.objects.filter(
        programme=programme, role=role, user_id__in=current - wanted
    ).delete()
    ProgrammeMember.objects.bulk_create(
        [ProgrammeMember(programme=programme, role=role, user_id=pk) for pk in wanted - current]
    )


def is_member(*, programme: Programme, user: Any, role: str = MemberRole.OFFICE) -> bool:
    return ProgrammeMember.objects.filter(programme=programme, user_id=user.pk, role=role).exists()


def member_programme_ids(*, user: Any) -> QuerySet:
    return ProgrammeMember.objects.filter(user_id=user.pk).values("programme_id")
