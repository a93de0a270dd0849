"""Who may do what in acceptance (core.access policies).

A round is run by its programme's unit (owner: manage; the leading group over it approves) and
reached by the programme's grants (office members manage, leading-group members approve). The
round's experts (expert grants on its submission round) see the round to score its pilots; a
pilot school sees only its own submission and verdict, never the round. An expert assigned to
some pilots holds grants narrowed to them: they still see the round (``assigned_experts``),
and review only their pilots' submissions. A verdict and an assignment concern their school.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.acceptance.models import AcceptanceRound, Assignment, Verdict
from shidian.apps.core.access import VIEW, GrantRole, Policy, held_grants, register

PROGRAMME = "programmes.programme"


def assigned_experts(user: Any, action: str, prefix: str) -> Q | None:
    """An expert grant on the round narrowed to a pilot still shows the round itself."""
    if action != VIEW:
        return None
    rounds = sorted(
        {
            g.target_id
            for g in held_grants(user)
            if g.role == GrantRole.EXPERT and g.target_type == "submissions.round"
        }
    )
    return Q(**{f"{prefix}round_id__in": rounds}) if rounds else None


ROUND = Policy(
    unit="programme__unit",
    owner="programme__unit",
    targets=(("programme", PROGRAMME), ("round", "submissions.round")),
    extra=assigned_experts,
)
VERDICT = Policy(
    unit="unit",
    owner="acceptance__programme__unit",
    targets=(("acceptance__programme", PROGRAMME),),
)


def register_all() -> None:
    register(AcceptanceRound, ROUND)
    register(Verdict, VERDICT)
    register(Assignment, VERDICT)
