"""Who may do what in the case library (core.access policies).

A published case is run by its programme's unit (owner: manage) and reached by the programme's
grants; besides, every signed-in account whose unit lies inside the programme unit's subtree
may read it (the whole county reads the county's cases), except experts, who see only what
their grants name. Review requests and opinions follow their submission; an expert sees only
their own opinion, the office that runs the call sees all. A booklet draft belongs to its
programme: whoever sees the programme sees it, the programme's office (manage) edits and compiles.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.cases.models import (
    Case,
    CaseBooklet,
    CaseBookletItem,
    CaseOpinion,
    CaseReviewRequest,
)
from shidian.apps.core.access import MANAGE, VIEW, Policy, path_q, register
from shidian.apps.core.access.actions import subtree_actions
from shidian.apps.submissions.policies import SUBMISSION

PROGRAMME = "programmes.programme"
SEGMENT_WIDTH = 5


def _inside_programme(user: Any, action: str, prefix: str) -> Q | None:
    if action != VIEW or user.unit_id is None or getattr(user, "role", "") == "expert":
        return None
    path = user.unit.path
    lineage = [path[:end] for end in range(SEGMENT_WIDTH, len(path) + 1, SEGMENT_WIDTH)]
    return Q(**{f"{prefix}programme__unit__path__in": lineage})


def _own_opinion(user: Any, action: str, prefix: str) -> Q | None:
    shown = Q(**{f"{prefix}expert_id": user.pk})
    if MANAGE in subtree_actions(user) and user.unit is not None:
        shown |= path_q(f"{prefix}submission__round__unit", user.unit.path)
    return shown


CASE = Policy(
    unit="unit",
    owner="programme__unit",
    targets=(("programme", PROGRAMME),),
    extra=_inside_programme,
)

BOOKLET = Policy(
    unit="programme__unit", owner="programme__unit", targets=(("programme", PROGRAMME),)
)


def register_all() -> None:
    from dataclasses import replace

    register(Case, CASE)
    register(CaseReviewRequest, SUBMISSION.through("submission"))
    register(CaseOpinion, replace(SUBMISSION.through("submission"), limit=_own_opinion))
    register(CaseBooklet, BOOKLET)
    register(CaseBookletItem, BOOKLET.through("booklet"))
