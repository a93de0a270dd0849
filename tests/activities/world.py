"""A semester with one planned activity in the first community (built on community_world)."""

from __future__ import annotations

import datetime as dt

from tests.community_world import community_world

SEMESTER = "2026年秋季学期"


def activity_world(tree):
    from shidian.apps.activities.models import Activity, Semester
    from shidian.apps.activities.services import activities_plan, semester_create

    w = community_world(tree)
    semester = Semester.objects.filter(
        owner_unit=tree.county, name=SEMESTER
    ).first()  # scoping: ok test
    if semester is None:
        semester = semester_create(
            by=None,
            owner_unit=tree.county,
            name=SEMESTER,
            starts_on=dt.date(2026, 9, 1),
            ends_on=dt.date(2027, 1, 20),
        )
    activity = Activity.objects.filter(
        community=w.first, semester=semester
    ).first()  # scoping: ok test
    if activity is None:
        activity = activities_plan(
            by=None,
            community=w.first,
            semester=semester,
            items=[
                {"theme": "大单元教学研讨", "kind": "seminar", "planned_on": dt.date(2026, 10, 15)},
            ],
        )[0]
    return w, semester, activity
