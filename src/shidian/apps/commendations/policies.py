"""Who may do what on commendations (core.access policies).

A commendation is run by its programme's unit (owner: manage; the leading group approves) and
reached by the programme's grants. Lower offices (a zone, a county office under a city
programme) see the commendations of programmes run above them, to propose nominations from
their subtree; they see the nominations they proposed, nothing else of the list.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.commendations.models import Commendation, CommendationEvent, Nomination
from shidian.apps.core.access import VIEW, Policy, register
from shidian.apps.core.access.policy import path_q

PROGRAMME = "programmes.programme"
LOWER_OFFICES = ("zone", "office")


def lower_office(user: Any, action: str, prefix: str) -> Q | None:
    """A zone or lower office sees the commendations of programmes run by a unit above it."""
    from shidian.apps.orgs.paths import ancestor_paths

    if action != VIEW or user.unit_id is None or user.role not in LOWER_OFFICES:
        return None
    return Q(**{f"{prefix}programme__unit__path__in": ancestor_paths(user.unit.path)})


def own_proposals(user: Any, action: str, prefix: str) -> Q | None:
    """A lower office sees the nominations its subtree proposed."""
    if action != VIEW or user.unit_id is None or user.role not in LOWER_OFFICES:
        return None
    return path_q(f"{prefix}proposed_by_unit", user.unit.path)


COMMENDATION = Policy(
    unit="programme__unit",
    owner="programme__unit",
    targets=(("programme", PROGRAMME),),
    extra=lower_office,
)
NOMINATION = Policy(
    unit="commendation__programme__unit",
    owner="commendation__programme__unit",
    targets=(("commendation__programme", PROGRAMME),),
    extra=own_proposals,
)
EVENT = Policy(
    unit="commendation__programme__unit",
    owner="commendation__programme__unit",
    targets=(("commendation__programme", PROGRAMME),),
)


def register_all() -> None:
    register(Commendation, COMMENDATION)
    register(Nomination, NOMINATION)
    register(CommendationEvent, EVENT)
