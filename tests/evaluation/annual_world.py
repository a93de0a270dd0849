"""The evaluation world (tests/evaluation/world.py) with a year's worth of what the annual
report counts: a monthly report form with three reports filed, five rectification items (four
of them issued in 2026) and one community. ``TODAY`` is the report's day (2026-12-31)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.evaluation.world import evaluation_world

TODAY = dt.date(2026, 12, 31)
YEAR = 2026


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _file(world, key, unit, when):
    from shidian.apps.submissions import services
    from shidian.apps.submissions.models import Revision, Submission
    from tests.reports.test_fill_kind import GOOD

    sub = Submission.objects.get(round=world.periods[key].round, unit=unit)  # scoping: ok test
    coord = world.pilots.coordinators[unit.pk]
    sub = services.submission_save(
        submission=sub, user=coord, answers=GOOD, base_version=sub.version
    )
    sub = services.submission_submit(submission=sub, user=coord)
    Revision.objects.filter(submission=sub, kind="submit").update(created_at=when)
    Submission.objects.filter(pk=sub.pk).update(submitted_at=when)


def _item(programme, unit, *, source, status, due, created, closed=None):
    from shidian.apps.inspections.models import RectificationItem

    item = RectificationItem.objects.create(
        programme=programme,
        unit=unit,
        issuer_unit=programme.unit,
        title=f"整改{source or '其他'}{status}",
        due_on=due,
        status=status,
        source_type=source,
        source_id=1 if source else None,
        closed_at=at(closed) if closed else None,
    )
    RectificationItem.objects.filter(pk=item.pk).update(created_at=at(created))  # scoping: ok


def annual_world(tree):
    from shidian.apps.communities.models import Community, CommunityMember
    from shidian.apps.orgs.models import OrgUnit
    from tests.reports.scoping_filing import report_world

    world = evaluation_world(tree)
    reports = report_world(tree)
    s1, s2 = tree.school, tree.school2
    _file(reports, "2026-03", s1, at(dt.date(2026, 4, 3)))  # on time (closes 04-07)
    _file(reports, "2026-04", s1, at(dt.date(2026, 5, 8)))  # late (closes 05-07)
    _file(reports, "2026-03", s2, at(dt.date(2026, 4, 7), 23))  # on time, the last hour
    p = world.programme
    d = dt.date
    _item(
        p,
        s1,
        source="inspections.finding",
        status="closed",
        due=d(2026, 5, 1),
        created=d(2026, 3, 10),
        closed=d(2026, 4, 20),
    )
    _item(
        p,
        s2,
        source="inspections.finding",
        status="issued",
        due=d(2026, 6, 1),
        created=d(2026, 3, 10),
    )
    _item(
        p,
        s1,
        source="midterm.gapitem",
        status="answered",
        due=d(2027, 1, 31),
        created=d(2026, 11, 2),
    )
    _item(
        p,
        s2,
        source="acceptance.verdict",
        status="closed",
        due=d(2026, 12, 1),
        created=d(2026, 10, 1),
        closed=d(2026, 11, 30),
    )
    _item(p, s2, source="", status="issued", due=d(2026, 2, 1), created=d(2025, 12, 1))
    community = Community.objects.create(
        owner_unit=tree.county, programme=p, name="甲县东片区共同体", lead_unit=s1
    )
    a3 = OrgUnit.objects.get(code="A1-3")  # scoping: ok test
    for unit, left in ((s1, None), (s2, None), (a3, d(2026, 6, 1))):
        CommunityMember.objects.create(
            community=community,
            unit=unit,
            is_lead=unit == s1,
            joined_on=d(2026, 2, 1),
            left_on=left,
        )
    return world
