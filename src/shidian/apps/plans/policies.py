"""Who may do what in plans (core.access policies).

A plan concerns its school (the school sees and fills it, its zone sees it) and is run by the
programme's unit (its office manages and approves); a grant on the programme reaches it.
Filings, versions, tasks and updates follow their plan.
"""

from __future__ import annotations

from shidian.apps.core.access import Policy, register
from shidian.apps.plans import models as m

PLAN = Policy(
    unit="unit",
    owner="programme__unit",
    targets=(("programme", "programmes.programme"),),
)


def register_all() -> None:
    register(m.Plan, PLAN)
    for model in (m.PlanFiling, m.PlanVersion, m.TaskUpdate, m.GoalUpdate):
        register(model, PLAN.through("plan"))
    register(m.PlanTask, PLAN.through("version__plan"))
