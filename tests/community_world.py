"""A community world for tests of communities, formations, activities and help requests.

Built on the tracking world (county A, schools A1-1..A1-8 with coordinator accounts
``coord-<code>``, office ``tw-office``): every school gets coordinates (within about 20 km of
each other), students and teachers, and two communities are formed by the county:

- ``first``  (融合型): lead A1-1 (tree.school), members A1-2, A1-3, A1-4
- ``second`` (协作型): lead A1-5, members A1-6, A1-7, A1-8

plus ``lead_user`` (a ``community_lead`` account of A1-1, "cw-lead") and ``expert`` (an expert
account of the county with no grant, "cw-expert"). ``community_world(tree)`` builds it once per
test database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tests.conftest import make_user
from tests.tracking_world import pilot_world

FORMED = dt.date(2026, 3, 1)
CODES = ["A1-1", "A1-2", "A1-3", "A1-4", "A1-5", "A1-6", "A1-7", "A1-8"]


@dataclass
class CommunityWorld:
    first: object
    second: object
    schools: dict = field(default_factory=dict)  # code -> OrgUnit
    coordinators: dict = field(default_factory=dict)  # code -> User
    office: object = None
    lead_user: object = None
    expert: object = None
    programme: object = None


def community_world(tree) -> CommunityWorld:
    from shidian.apps.accounts.models import User
    from shidian.apps.communities.models import Community, CommunityType
    from shidian.apps.communities.services import community_create
    from shidian.apps.orgs.models import OrgUnit

    pw = pilot_world(tree)
    schools = {u.code: u for u in OrgUnit.objects.filter(code__in=CODES)}  # scoping: ok test
    for i, code in enumerate(CODES):
        unit = schools[code]
        if unit.latitude is None:
            unit.latitude = 30.50 + 0.02 * i
            unit.longitude = 114.30 + 0.015 * (i % 4)
            unit.students = unit.students or 400 + 60 * i
            unit.teachers = 30 + 4 * i
            unit.save(update_fields=["latitude", "longitude", "students", "teachers"])
    first = Community.objects.filter(owner_unit=tree.county, name="城关教育共同体").first()
    if first is None:
        first = community_create(
            by=None,
            owner_unit=tree.county,
            name="城关教育共同体",
            lead=schools["A1-1"],
            members=[schools[c] for c in CODES[1:4]],
            kind=CommunityType.MERGED,
            programme=pw.programme,
            number=1,
            on=FORMED,
        )
    second = Community.objects.filter(owner_unit=tree.county, name="东片协作共同体").first()
    if second is None:
        second = community_create(
            by=None,
            owner_unit=tree.county,
            name="东片协作共同体",
            lead=schools["A1-5"],
            members=[schools[c] for c in CODES[5:]],
            kind=CommunityType.COLLABORATIVE,
            programme=pw.programme,
            number=2,
            on=FORMED,
        )
    lead_user = User.objects.filter(username="cw-lead").first()  # scoping: ok test
    lead_user = lead_user or make_user("cw-lead", schools["A1-1"], "community_lead")
    expert = User.objects.filter(username="cw-expert").first()  # scoping: ok test
    expert = expert or make_user("cw-expert", tree.county, "expert", full_name="王专家")
    return CommunityWorld(
        first=first,
        second=second,
        schools=schools,
        coordinators={code: pw.coordinators[schools[code].pk] for code in CODES},
        office=pw.office,
        lead_user=lead_user,
        expert=expert,
        programme=pw.programme,
    )
