"""Who may do what with semesters and activities.

A semester belongs to its owner unit (the office). Activities, attendance and files follow
their community (``COMMUNITY.through``): members view and fill, the lead and office manage.
"""

from __future__ import annotations

from shidian.apps.activities import models as m
from shidian.apps.communities.policies import COMMUNITY
from shidian.apps.core.access import Policy, register

SEMESTER = Policy(unit="owner_unit", owner="owner_unit")
ACTIVITY = COMMUNITY.through("community")


def register_all() -> None:
    register(m.Semester, SEMESTER)
    register(m.Activity, ACTIVITY)
    register(m.Attendance, COMMUNITY.through("activity__community"))
    register(m.ActivityFile, COMMUNITY.through("activity__community"))
