"""Who sees a help request: the requesting school's accounts (subtree of ``unit``), the
community's owner office (owner: manages), the community's lead school's accounts (an extra rule:
view, fill and manage, so the lead may route), and an expert with a grant on the request alone
(view + review; answering is review). Other member schools do not see it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.core.access import FILL, MANAGE, VIEW, Policy, register
from shidian.apps.helprequests import models as m

LEAD_ACTIONS = frozenset({VIEW, FILL, MANAGE})
TAKES_PART = ("coordinator", "community_lead", "office", "leading_group")


def lead_rule(user: Any, action: str, prefix: str) -> Q | None:
    if getattr(user, "unit_id", None) is None or getattr(user, "role", "") not in TAKES_PART:
        return None
    if action not in LEAD_ACTIONS:
        return None
    return Q(
        **{
            f"{prefix}community__lead_unit_id": user.unit_id,
            f"{prefix}community__is_active": True,
        }
    )


HELP_REQUEST = Policy(
    unit="unit",
    owner="community__owner_unit",
    targets=(("pk", "helprequests.helprequest"),),
    extra=lead_rule,
)


def register_all() -> None:
    register(m.HelpRequest, HELP_REQUEST)
    register(m.HelpMessage, HELP_REQUEST.through("request"))
    register(m.HelpAttachment, HELP_REQUEST.through("request"))
