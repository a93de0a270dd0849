"""Who may do what on roll-out plans (core.access policies): run by the programme's unit (the
office manages, the leading group approves), reached by the programme's grants. Schools and
zones see nothing of a plan before it becomes participation."""

from __future__ import annotations

from shidian.apps.core.access import Policy, register
from shidian.apps.rollout.models import RolloutEvent, RolloutPlan, RolloutSchool

PROGRAMME = "programmes.programme"

PLAN = Policy(unit="programme__unit", owner="programme__unit", targets=(("programme", PROGRAMME),))


def register_all() -> None:
    register(RolloutPlan, PLAN)
    register(RolloutSchool, PLAN.through("plan"))
    register(RolloutEvent, PLAN.through("plan"))
