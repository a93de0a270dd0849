"""A tracking world for tests of plans, reports, supervision, indicators, inspections and the
mid-term evaluation: county A of the shared tree with four more schools, a 2026-2028 programme
over the county (cycles 3/3/2), six pilots of batch 1 (tree.school and tree.school2 among them)
that joined on 2026-03-01 (one, ``late_joiner``, on 2026-09-01) and two matched-control schools,
each school with a coordinator account ``coord-<code>``.

``pilot_world(tree)`` builds it once per test database and returns a ``PilotWorld``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from tests.conftest import make_user

JOINED = dt.date(2026, 3, 1)
LATE_JOINED = dt.date(2026, 9, 1)


@dataclass
class PilotWorld:
    programme: object
    batch1: object
    pilots: list  # OrgUnit schools, batch 1
    controls: list  # OrgUnit schools in the control state
    late_joiner: object  # the pilot that joined on LATE_JOINED
    coordinators: dict = field(default_factory=dict)  # unit pk -> User
    office: object = None  # an office account of county A ("tw-office")


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def pilot_world(tree) -> PilotWorld:
    from shidian.apps.accounts.models import User
    from shidian.apps.orgs.models import Level, Locality, OrgUnit, SchoolType
    from shidian.apps.orgs.services import unit_create
    from shidian.apps.programmes.models import Participation, ParticipationEvent, Programme
    from shidian.apps.programmes.services import (
        CycleInput,
        participation_move_bulk,
        programme_create,
    )

    name = "2026-2028 智慧校园试点"
    existing = Programme.objects.filter(unit=tree.county, name=name).first()
    schools = [tree.school, tree.school2]
    if existing is None:
        kinds = [SchoolType.PRIMARY, SchoolType.JUNIOR_HIGH, SchoolType.PRIMARY]
        for i in range(3, 9):
            schools.append(
                unit_create(
                    code=f"A1-{i}",
                    name=f"甲县第{i}学校",
                    level=Level.SCHOOL,
                    parent=tree.zone,
                    zone=tree.zone,
                    school_type=kinds[i % 3],
                    locality=[Locality.URBAN, Locality.RURAL][i % 2],
                    students=300 + 50 * i,
                    classrooms=10 + i,
                    has_fibre=i % 2 == 0,
                )
            )
        programme = programme_create(
            by=None,
            unit=tree.county,
            name=name,
            start_year=2026,
            end_year=2028,
            scope_root=tree.county,
            scope_levels=[Level.SCHOOL],
            cycles=[CycleInput(2026, 3), CycleInput(2027, 3), CycleInput(2028, 2)],
        )
        batch1 = programme.cycles.get(number=1)
        rows = {p.unit_id: p for p in Participation.objects.filter(programme=programme)}
        pilots = [rows[s.pk] for s in schools[:6]]
        controls = [rows[s.pk] for s in schools[6:8]]
        for to in ("recommended", "shortlisted"):
            participation_move_bulk(by=None, programme=programme, participations=pilots, to=to)
        participation_move_bulk(
            by=None, programme=programme, participations=pilots, to="pilot", batch=batch1
        )
        participation_move_bulk(by=None, programme=programme, participations=controls, to="control")
        # Backdate: everyone joined on JOINED, the sixth pilot on LATE_JOINED.
        events = ParticipationEvent.objects.filter(participation__programme=programme)
        events.update(at=_at(JOINED - dt.timedelta(days=1)))
        events.filter(to_state__in=["pilot", "control"]).update(at=_at(JOINED))
        events.filter(participation=pilots[5], to_state="pilot").update(at=_at(LATE_JOINED))
        Participation.objects.filter(programme=programme).update(
            created_at=_at(dt.date(2026, 1, 5))
        )
        existing = programme
    programme = existing
    batch1 = programme.cycles.get(number=1)
    codes = ["A1-1", "A1-2", "A1-3", "A1-4", "A1-5", "A1-6", "A1-7", "A1-8"]
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}  # scoping: ok test
    coordinators = {}
    for code in codes:
        username = f"coord-{code}"
        user = User.objects.filter(username=username).first()  # scoping: ok test
        coordinators[units[code].pk] = user or make_user(username, units[code], "coordinator")
    office = User.objects.filter(username="tw-office").first()  # scoping: ok test
    office = office or make_user("tw-office", tree.county, "office", full_name="项目办张老师")
    return PilotWorld(
        programme=programme,
        batch1=batch1,
        pilots=[units[c] for c in codes[:6]],
        controls=[units[c] for c in codes[6:]],
        late_joiner=units["A1-6"],
        coordinators=coordinators,
        office=office,
    )
