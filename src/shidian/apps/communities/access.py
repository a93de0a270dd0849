"""Thin questions about one person and one community, answered from the membership rows."""

from __future__ import annotations

from typing import Any

from shidian.apps.communities.models import Community, CommunityMember
from shidian.apps.core.access import MANAGE, can


def is_member(user: Any, community: Community) -> bool:
    """True when the user's unit is a current member school (the lead included)."""
    unit_id = getattr(user, "unit_id", None)
    return bool(unit_id) and (
        CommunityMember.objects.filter(
            community=community, unit_id=unit_id, left_on__isnull=True
        ).exists()
    )


def is_lead(user: Any, community: Community) -> bool:
    return bool(getattr(user, "unit_id", None)) and community.lead_unit_id == user.unit_id


def steers(user: Any, community: Community) -> bool:
    """The office (owner) or the lead school: may change hosts, route help requests."""
    return can(user, MANAGE, community)


def communities_of_unit(unit: Any):
    """The active communities ``unit`` is a current member of."""
    return (
        Community.objects.active()
        .filter(members__unit=unit, members__left_on__isnull=True)
        .distinct()
    )
