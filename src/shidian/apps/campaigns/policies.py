"""Who may see, fill, review and manage campaigns and what hangs on them.

A campaign is run by its unit (the owner: manage, approve). A sheet concerns its school: the
school fills it, its zone and the office above see and remind. The campaign's named reviewers
see the campaign and its sheets and review them, nothing else. Reviews are blind: until the
office releases them, a reviewer sees only their own review of a campaign they review.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import Q

from shidian.apps.campaigns.models import (
    Campaign,
    Evidence,
    Notification,
    Review,
    Sheet,
    SheetRevision,
    reviewing,
)
from shidian.apps.core.access import REVIEW, VIEW, Policy, path_q, register

REVIEWER_ACTIONS = frozenset({VIEW, REVIEW})


def reviewer_of_campaign(lookup: str):
    def rule(user: Any, action: str, prefix: str) -> Q | None:
        if action not in REVIEWER_ACTIONS:
            return None
        return Q(**{f"{prefix}{lookup}__in": reviewing(user)})

    return rule


def blind_reviews(user: Any, action: str, prefix: str) -> Q | None:
    """A reviewer sees only their own review of an unreleased campaign they review, unless they
    belong to the office that runs it."""
    blind = Campaign.objects.filter(pk__in=reviewing(user), reviews_released_at__isnull=True)
    if user.is_office and user.unit is not None:
        blind = blind.exclude(path_q("unit", user.unit.path))
    return Q(**{f"{prefix}reviewer_id": user.pk}) | ~Q(**{f"{prefix}sheet__campaign__in": blind})


CAMPAIGN = Policy(
    unit="unit",
    owner="unit",
    targets=(("pk", "campaigns.campaign"),),
    extra=reviewer_of_campaign("pk"),
)
# A grant on the campaign (narrowed to some schools or not) or on one sheet reaches the sheet.
SHEET = Policy(
    unit="unit",
    owner="campaign__unit",
    targets=(("pk", "campaigns.sheet"), ("campaign", "campaigns.campaign")),
    extra=reviewer_of_campaign("campaign"),
)

register(Campaign, CAMPAIGN)
register(Sheet, SHEET)
register(SheetRevision, SHEET.through("sheet"))
register(Evidence, SHEET.through("sheet"))
register(Review, replace(SHEET.through("sheet"), limit=blind_reviews))


def own_notifications(user: Any, action: str, prefix: str) -> Q | None:
    return Q(**{f"{prefix}user_id": user.pk}) if action == VIEW else None


register(Notification, Policy(unit="user__unit", extra=own_notifications))
