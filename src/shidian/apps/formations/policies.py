"""Who may see and edit formations: the office of the owner unit; a programme grant reaches it."""

from shidian.apps.core.access import Policy, register
from shidian.apps.formations import models as m

FORMATION = Policy(
    unit="owner_unit",
    owner="owner_unit",
    targets=(("programme", "programmes.programme"),),
)


def register_all() -> None:
    register(m.Formation, FORMATION)
    register(m.FormationVersion, FORMATION.through("formation"))
