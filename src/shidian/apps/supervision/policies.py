"""Who may do what in supervision (core.access policies).

Tables are run by the programme's unit (owner: the office computes and publishes; programme
grants reach them). A row and a 督办 case concern their unit: the school, its zone and the
office above see them; a school sees only its own rows and case, never another school's, and
not the table itself (the ranked list is the office's; the school sees its rank and grade).
"""

from __future__ import annotations

from shidian.apps.core.access import Policy, register
from shidian.apps.supervision import models as m

PROGRAMME = "programmes.programme"

TABLE = Policy(unit="programme__unit", owner="programme__unit", targets=(("programme", PROGRAMME),))
ROW = Policy(
    unit="unit", owner="table__programme__unit", targets=(("table__programme", PROGRAMME),)
)
CASE = Policy(unit="unit", owner="programme__unit", targets=(("programme", PROGRAMME),))


def register_all() -> None:
    register(m.LeagueTable, TABLE)
    register(m.LeagueRow, ROW)
    register(m.SupervisionCase, CASE)
    register(m.SupervisionEvent, CASE.through("case"))
