"""Who may do what in acceptance (core.access policies).

A round is run by its programme's unit (owner: manage; the leading group over it approves) and
reached by the programme's grants (office members manage, leading-group members approve). The
round's experts (expert grants on its submission round) see the round to score its pilots; a
pilot school sees only its own submission and verdict, never the round. A verdict concerns its
school.
"""

from __future__ import annotations

from shidian.apps.acceptance.models import AcceptanceRound, Verdict
from shidian.apps.core.access import Policy, register

PROGRAMME = "programmes.programme"

ROUND = Policy(
    unit="programme__unit",
    owner="programme__unit",
    targets=(("programme", PROGRAMME), ("round", "submissions.round")),
)
VERDICT = Policy(
    unit="unit",
    owner="acceptance__programme__unit",
    targets=(("acceptance__programme", PROGRAMME),),
)


def register_all() -> None:
    register(AcceptanceRound, ROUND)
    register(Verdict, VERDICT)
