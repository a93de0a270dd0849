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
    Review,
    Sheet,
    SheetRevision,
    reviewing,
)
from shidian.apps.core.access import MANAGE, REVIEW, VIEW, Policy, path_q, register
from shidian.apps.core.access.actions import subtree_actions

REVIEWER_ACTIONS = frozenset({VIEW, REVIEW})


def reviewer_of_campaign(lookup: str):
    def rule(user: Any, action: str, prefix: str) -> Q | None:
        if action not in REVIEWER_ACTIONS:
            return None
        return Q(**{f"{prefix}{lookup}__in": reviewing(user)})

    return rule


def blind_reviews(user: Any, action: str, prefix: str) -> Q | None:
    """Blind review: the office that runs the campaign (MANAGE on it) sees every review; a
    reviewer sees their own; everyone else sees a review once the reviews are released."""
    shown = Q(**{f"{prefix}reviewer_id": user.pk}) | Q(
        **{f"{prefix}submission__campaign__reviews_released_at__isnull": False}
    )
    if MANAGE in subtree_actions(user) and user.unit is not None:
        shown |= path_q(f"{prefix}submission__campaign__unit", user.unit.path)
    return shown


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
register(Evidence, SHEET.through("submission"))
register(Review, replace(SHEET.through("submission"), limit=blind_reviews))
