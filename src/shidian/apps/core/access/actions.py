"""The actions a person may take on an object, and which roles and grants allow each.

An account's role allows some actions on everything in its unit's subtree; a grant allows some
actions on one target (a programme, a round, a sheet) and what hangs on it. Experts get nothing
from their subtree: they see exactly what their grants name.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

VIEW = "view"
FILL = "fill"
MANAGE = "manage"
REMIND = "remind"
REVIEW = "review"
APPROVE = "approve"

ACTIONS = frozenset({VIEW, FILL, MANAGE, REMIND, REVIEW, APPROVE})

# Checked against the unit that runs the object (its owner), not the unit it concerns: a county
# office manages the campaign the county runs even where a school's sheet is the object.
OWNER_ACTIONS = frozenset({MANAGE, APPROVE})

# Taken on the account's own unit only, not its subtree: a central school's coordinator fills
# the central school's sheet, and each teaching point under it fills its own.
OWN_UNIT_ACTIONS = frozenset({FILL})

# Account role -> actions on the role's unit subtree. Keys are accounts.Role values; core does not
# import accounts, so they are spelled out.
SUBTREE_ACTIONS: dict[str, frozenset[str]] = {
    "office": frozenset({VIEW, MANAGE, REMIND}),
    "leading_group": frozenset({VIEW, MANAGE, REMIND, APPROVE}),
    "zone": frozenset({VIEW, REMIND, FILL}),
    "coordinator": frozenset({VIEW, FILL}),
    "community_lead": frozenset({VIEW, FILL}),
    "expert": frozenset(),
}


class GrantRole(models.TextChoices):
    OFFICE_MEMBER = "office_member", _("项目办公室成员")
    LEADING_GROUP_MEMBER = "leading_group_member", _("领导小组成员")
    EXPERT = "expert", _("评审专家")
    COMMUNITY_MEMBER = "community_member", _("共同体成员")


GRANT_ACTIONS: dict[str, frozenset[str]] = {
    GrantRole.OFFICE_MEMBER: frozenset({VIEW, MANAGE, REMIND}),
    GrantRole.LEADING_GROUP_MEMBER: frozenset({VIEW, APPROVE}),
    GrantRole.EXPERT: frozenset({VIEW, REVIEW}),
    GrantRole.COMMUNITY_MEMBER: frozenset({VIEW}),
}


def subtree_actions(user) -> frozenset[str]:
    return SUBTREE_ACTIONS.get(getattr(user, "role", "") or "", frozenset())
