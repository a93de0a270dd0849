"""Who may do what in midterm (core.access policies).

A mid-term round is run by its programme's unit (owner: manage) and reached by the programme's
grants (office members manage it). A gap item concerns its school: the school (and the zone
above it) sees its own rows, nothing of the others; the round itself stays the office's. The
school's own gap report is reached through its sheet of the round, never through the round.
"""

from __future__ import annotations

from shidian.apps.core.access import Policy, register
from shidian.apps.midterm.models import GapItem, MidtermRound

PROGRAMME = "programmes.programme"

MIDTERM = Policy(
    unit="programme__unit", owner="programme__unit", targets=(("programme", PROGRAMME),)
)
GAP_ITEM = Policy(
    unit="unit", owner="midterm__programme__unit", targets=(("midterm__programme", PROGRAMME),)
)


def register_all() -> None:
    register(MidtermRound, MIDTERM)
    register(GapItem, GAP_ITEM)
