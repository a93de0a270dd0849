"""Who may do what in a selection (core.access policies).

A selection is run by its programme's unit (owner: manage, approve) and reached by the
programme's grants (office members manage, leading-group members approve). A zone given a
recommendation quota sees the selection and fills its recommendations (FILL on its own quota).
A recommendation concerns its school, so the zone above it sees it. An expert sees the
assignments and discussion scores that name them, nothing else of the selection; they review
the school's sheet through the expert grant on the round that their assignment holds.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import Q

from shidian.apps.core.access import REVIEW, VIEW, Policy, register
from shidian.apps.selection import models as m

PROGRAMME = "programmes.programme"


def zone_with_quota(user: Any, action: str, prefix: str) -> Q | None:
    """A zone account sees the selections it has a recommendation quota in."""
    if action != VIEW or user.unit_id is None:
        return None
    quotas = m.ZoneQuota.objects.filter(zone_id=user.unit_id).values("selection_id")
    return Q(**{f"{prefix}pk__in": quotas})


def named_expert(user: Any, action: str, prefix: str) -> Q | None:
    """An expert sees (and reviews) the rows that name them."""
    if action not in (VIEW, REVIEW):
        return None
    return Q(**{f"{prefix}expert_id": user.pk})


SELECTION = Policy(
    unit="programme__unit",
    owner="programme__unit",
    targets=(("programme", PROGRAMME),),
    extra=zone_with_quota,
)
PART_OF_SELECTION = Policy(
    unit="selection__programme__unit",
    owner="selection__programme__unit",
    targets=(("selection__programme", PROGRAMME),),
)
ABOUT_A_SCHOOL = replace(PART_OF_SELECTION, unit="unit")
ZONE_QUOTA = replace(PART_OF_SELECTION, unit="zone")
EXPERT_ROW = replace(PART_OF_SELECTION, extra=named_expert)


def register_all() -> None:
    register(m.Selection, SELECTION)
    register(m.ZoneQuota, ZONE_QUOTA)
    register(m.Recommendation, ABOUT_A_SCHOOL)
    for model in (
        m.ShortlistRun,
        m.Shortlisted,
        m.PanelMember,
        m.Reconciliation,
        m.BatchPlacement,
        m.MatchRun,
        m.ControlPair,
        m.SelectionEvent,
        m.SelectionVersion,
    ):
        register(model, PART_OF_SELECTION)
    register(m.ExpertAssignment, EXPERT_ROW)
    register(m.DiscussionScore, EXPERT_ROW)
