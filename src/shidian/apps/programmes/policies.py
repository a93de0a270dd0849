"""Who may do what on the programmes app's models (core.access policies).

A programme is run by its unit (owner: manage, approve); a grant on the programme (office
member, leading-group member) reaches the programme and everything hanging on it. A
participation concerns its unit: the zone and office above it see it; managing it is the
programme's owner's.
"""

from __future__ import annotations

from shidian.apps.core.access import Policy, register
from shidian.apps.programmes.models import (
    Cycle,
    Participation,
    ParticipationEvent,
    Phase,
    Programme,
)

TARGET = "programmes.programme"

PROGRAMME = Policy(unit="unit", owner="unit", targets=(("pk", TARGET),))
PART_OF_PROGRAMME = Policy(
    unit="programme__unit", owner="programme__unit", targets=(("programme", TARGET),)
)
PARTICIPATION = Policy(unit="unit", owner="programme__unit", targets=(("programme", TARGET),))


def register_all() -> None:
    register(Programme, PROGRAMME)
    register(Phase, PART_OF_PROGRAMME)
    register(Cycle, PART_OF_PROGRAMME)
    register(Participation, PARTICIPATION)
    register(ParticipationEvent, PARTICIPATION.through("participation"))
