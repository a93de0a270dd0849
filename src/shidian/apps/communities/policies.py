"""Who may do what in communities (core.access policies).

A community is run by its owner unit: the office there sees and manages it, and a grant on the
community (``community_member``, e.g. a teaching researcher of the bureau) or on its programme
reaches it. The accounts of a current member school see the community and may take part in it
(view, fill: post on its board, share a resource); the lead school's accounts also steer its
life (manage: change a host, route a help request). Nobody else sees it: not a zone above a
member school, not another community's members. ``COMMUNITY.through("community")`` gives a
child model (a resource, a post, an activity) the same rule.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.communities import models as m
from shidian.apps.core.access import FILL, MANAGE, VIEW, Policy, register

MEMBER_ACTIONS = frozenset({VIEW, FILL})
LEAD_ACTIONS = frozenset({VIEW, FILL, MANAGE})
TAKES_PART = ("coordinator", "community_lead", "office", "leading_group")


def current_community_ids(unit_id: int | None):
    """The ids of the communities ``unit_id`` is a current member of (a subquery)."""
    return m.CommunityMember.objects.filter(unit_id=unit_id, left_on__isnull=True).values(
        "community_id"
    )


def member_rule(user: Any, action: str, prefix: str) -> Q | None:
    if getattr(user, "unit_id", None) is None or getattr(user, "role", "") not in TAKES_PART:
        return None
    found = None
    if action in MEMBER_ACTIONS:
        found = Q(**{f"{prefix}pk__in": current_community_ids(user.unit_id)})
    if action in LEAD_ACTIONS:
        lead = Q(**{f"{prefix}lead_unit_id": user.unit_id, f"{prefix}is_active": True})
        found = lead if found is None else found | lead
    return found


COMMUNITY = Policy(
    unit="owner_unit",
    owner="owner_unit",
    targets=(("pk", "communities.community"), ("programme", "programmes.programme")),
    extra=member_rule,
)


def register_all() -> None:
    register(m.Community, COMMUNITY)
    register(m.CommunityMember, COMMUNITY.through("community"))
    register(m.CommunityContact, COMMUNITY.through("community"))
    register(m.Resource, COMMUNITY.through("community"))
    register(m.Post, COMMUNITY.through("community"))
