"""Demo communities: the county's primary schools in one community per zone, the first led by
the demo ``community`` account's school (蒲阳县城关第一小学), with contact people, help
requests (helprequests.demo) and a class list for the demo ``school`` account's teacher
(classgroups.demo). Idempotent: a second load changes nothing.

Leads are the community-lead school and the largest primary school of each other zone (at
most six); every other primary school with coordinates joins its nearest lead, up to eight members
(a hand-made stand-in until an office forms the county's communities with the formation tool).
"""

from __future__ import annotations

from typing import Any

from shidian.apps.communities.models import Community, CommunityType
from shidian.apps.communities.services import community_create
from shidian.engine.grouping.prepare import haversine_km

MAX_MEMBERS = 8
# Fictional contact people, two per demo community (at most six communities).
CONTACT_NAMES = [
    "周建国",
    "吴丽华",
    "郑海燕",
    "孙志强",
    "何静",
    "冯晓东",
    "曹雪梅",
    "许文斌",
    "唐卫红",
    "韩立新",
    "邓玉兰",
    "罗振宇",
]
KINDS = [CommunityType.MERGED, CommunityType.CO_BUILT, CommunityType.COLLABORATIVE]


def load_demo(*, county: Any, lead_school: Any, programme: Any = None) -> dict[str, int]:
    from shidian.apps.orgs.models import Level, OrgUnit, SchoolType

    if Community.objects.filter(owner_unit=county).exists():  # scoping: ok demo
        return {"communities": 0}
    schools = list(
        OrgUnit.objects.subtree(county)
        .filter(level=Level.SCHOOL, school_type=SchoolType.PRIMARY, latitude__isnull=False)
        .select_related("zone")
        .order_by("-students", "code")
    )
    leads = [lead_school]
    zones = {lead_school.zone_id}
    for school in schools:
        if len(leads) == 6:
            break
        if school.pk != lead_school.pk and school.zone_id not in zones:
            leads.append(school)
            zones.add(school.zone_id)
    members: dict[int, list[Any]] = {lead.pk: [] for lead in leads}
    for school in schools:
        if school.pk in members:
            continue
        by_distance = sorted(
            leads,
            key=lambda lead: float(
                haversine_km(school.latitude, school.longitude, lead.latitude, lead.longitude)
            ),
        )
        for lead in by_distance[:2]:
            if len(members[lead.pk]) < MAX_MEMBERS:
                members[lead.pk].append(school)
                break
    made = []
    for number, lead in enumerate(leads, start=1):
        town = lead.name.removeprefix(county.name).removesuffix("小学")
        community = community_create(
            by=None,
            owner_unit=county,
            name=f"{town}教育共同体",
            lead=lead,
            members=members[lead.pk],
            kind=KINDS[(number - 1) % 3],
            programme=programme,
            number=number,
        )
        made.append(community)
    return {"communities": len(leads), **_community_life(county=county, communities=made)}


def _demo_user(username: str) -> Any:
    from shidian.apps.accounts.models import User

    return User.objects.filter(username=username, is_active=True).first()  # scoping: ok demo


def _community_life(*, county: Any, communities: list[Community]) -> dict[str, int]:
    """Contacts for every community; help requests in the ``school`` account's community; its
    teacher's class list. Skipped quietly when the demo accounts are not there."""
    from shidian.apps.classgroups.demo import load_demo as load_class
    from shidian.apps.communities.access import communities_of_unit
    from shidian.apps.communities.models import CommunityMember
    from shidian.apps.communities.services import contact_put
    from shidian.apps.helprequests.demo import load_demo as load_help

    office = _demo_user("office")
    contacts = 0
    for community in communities if office is not None else []:
        rows = CommunityMember.objects.filter(  # scoping: ok demo
            community=community, left_on__isnull=True
        ).select_related("unit")
        for i, row in enumerate(list(rows.order_by("-is_lead", "unit__code"))[:2]):
            contact_put(
                by=office,
                community=community,
                unit=row.unit,
                name=CONTACT_NAMES[((community.number - 1) * 2 + i) % len(CONTACT_NAMES)],
                duty="校长" if row.is_lead else "教务主任",
                phone=f"0719-86{community.number:02d}{i:03d}",
            )
            contacts += 1
    school = _demo_user("school")
    mine = communities_of_unit(school.unit).first() if school is not None else None
    helped = load_help(community=mine, requester=school, router=office, expert=_demo_user("expert"))
    classes = load_class(teacher=school)
    return {"contacts": contacts, **helped, **classes}
