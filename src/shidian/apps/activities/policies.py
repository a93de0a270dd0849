"""Who may do what with semesters and activities.

A semester belongs to its owner unit (the office). Activities, attendance and files follow
their community (``COMMUNITY.through``): members view and fill, the lead and office manage.
A community's plan or summary filing follows its community too, narrowed: the office and the
lead (who manage the community) see it in every state, the other members once it is accepted.
The submission behind it keeps its own policy (the lead school fills, the office decides).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.activities import models as m
from shidian.apps.communities.policies import COMMUNITY
from shidian.apps.core.access import MANAGE, VIEW, Policy, register
from shidian.apps.submissions.states import Status

SEMESTER = Policy(unit="owner_unit", owner="owner_unit")
ACTIVITY = COMMUNITY.through("community")


def accepted_unless_managed(user: Any, action: str, prefix: str) -> Q | None:
    """Members read a plan or summary once the office accepted it; drafts stay with the lead
    and the office."""
    if action != VIEW:
        return None
    from shidian.apps.communities.models import Community

    managed = Community.objects.restrict(user, MANAGE).values("pk")
    return Q(**{f"{prefix}submission__status": Status.ACCEPTED}) | Q(
        **{f"{prefix}community__in": managed}
    )


FILING = Policy(
    unit=ACTIVITY.unit,
    owner=ACTIVITY.owner,
    targets=ACTIVITY.targets,
    extra=ACTIVITY.extra,
    limit=accepted_unless_managed,
)


def register_all() -> None:
    register(m.Semester, SEMESTER)
    register(m.Activity, ACTIVITY)
    register(m.Attendance, COMMUNITY.through("activity__community"))
    register(m.ActivityFile, COMMUNITY.through("activity__community"))
    register(m.CommunityFiling, FILING)
