"""Demo semester of community life: the current semester of the county's communities, three
activities each (the first held, with the host's plan and the members' attendance, the other
two coming), and the semester's plan and summary filings opened, the demo ``community``
account's plan submitted. Idempotent: a second load changes nothing.

Dates follow the day the demo is loaded, so there is always a past and a coming activity.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from shidian.apps.activities.filings import filing_submit, semester_open
from shidian.apps.activities.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Attendance,
    CommunityFiling,
    FilingKind,
    Semester,
)
from shidian.apps.activities.services import activities_plan, activity_file_plan, current_members
from shidian.apps.communities.models import Community

THEMES = (
    ("“双减”背景下的作业设计", ActivityKind.SEMINAR),
    ("大单元教学同课异构", ActivityKind.SAME_TOPIC),
    ("学期成果展示与经验交流", ActivityKind.SHOWCASE),
)


def semester_bounds(today: dt.date) -> tuple[str, dt.date, dt.date]:
    """The school semester containing ``today``: autumn from 1 September to 20 January,
    spring from 20 February to 10 July (the summer belongs to the coming autumn)."""
    if dt.date(today.year, 2, 20) <= today <= dt.date(today.year, 7, 10):
        return f"{today.year}年春季学期", dt.date(today.year, 2, 20), dt.date(today.year, 7, 10)
    start_year = today.year if today.month >= 7 else today.year - 1
    return (
        f"{start_year}年秋季学期",
        dt.date(start_year, 9, 1),
        dt.date(start_year + 1, 1, 20),
    )


def _activity_days(today: dt.date, starts_on: dt.date, ends_on: dt.date) -> list[dt.date]:
    held = max(starts_on, today - dt.timedelta(days=21))
    coming = [today + dt.timedelta(days=7), today + dt.timedelta(days=35)]
    return [held] + [min(max(day, starts_on), ends_on) for day in coming]


def load_demo(*, county: Any, lead_user: Any = None) -> dict[str, int]:
    if Semester.objects.filter(owner_unit=county).exists():  # scoping: ok demo
        return {"activities": 0}
    communities = list(
        Community.objects.filter(owner_unit=county).order_by("number", "pk")  # scoping: ok demo
    )
    if not communities:
        return {"activities": 0}
    today = timezone.localdate()
    name, starts_on, ends_on = semester_bounds(today)
    semester = semester_open(
        by=None, owner_unit=county, name=name, starts_on=starts_on, ends_on=ends_on
    )
    days = _activity_days(today, starts_on, ends_on)
    made = 0
    for community in communities:
        activities = activities_plan(
            by=None,
            community=community,
            semester=semester,
            items=[
                {"theme": theme, "kind": kind, "planned_on": day}
                for (theme, kind), day in zip(THEMES, days, strict=True)
            ],
        )
        made += len(activities)
        first = activities[0]
        activity_file_plan(
            by=None,
            activity=first,
            plan="上午听课两节，下午分学科评课研讨，最后由牵头校作总结。",
            next_theme=activities[1].theme,
            next_on=activities[1].planned_on,
            next_host=activities[1].host_unit,
        )
        if first.planned_on <= today:
            # Attendance is recorded by each member school's own account on a phone; the demo
            # has accounts for two schools only, so the rows are written for all of them here.
            for number, unit in enumerate(current_members(community)):
                if number % 4 == 3:
                    continue  # some schools stay away: participation differs on the dashboard
                Attendance.objects.create(activity=first, unit=unit, attendees=3 + number % 5)
            Activity.objects.filter(pk=first.pk).update(status=ActivityStatus.HELD)
    if lead_user is not None:
        _submit_lead_plan(semester=semester, lead_user=lead_user)
    return {"activities": made}


def _submit_lead_plan(*, semester: Semester, lead_user: Any) -> None:
    from shidian.apps.activities.filings import filing_save, plan_text

    filing = (
        CommunityFiling.objects.filter(  # scoping: ok demo
            semester=semester, kind=FilingKind.PLAN, submission__unit_id=lead_user.unit_id
        )
        .select_related("submission")
        .first()
    )
    if filing is None:
        return
    filing_save(
        filing=filing,
        user=lead_user,
        answers={
            "goals": "每所成员校至少承办或参与一次活动，形成一批可推广的作业设计案例。",
            "activities": plan_text(filing),
            "division": "牵头校负责统筹与专家联络，各成员校轮流承办，教研组长负责记录。",
        },
        base_version=filing.submission.version,
    )
    filing_submit(filing=filing, user=lead_user)
