"""Demo communities: the county's primary schools in one community per zone, the first led by
the demo ``community`` account's school (蒲阳县城关第一小学). Idempotent: a second load changes
nothing.

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
    for number, lead in enumerate(leads, start=1):
        town = lead.name.removeprefix(county.name).removesuffix("小学")
        community_create(
            by=None,
            owner_unit=county,
            name=f"{town}教育共同体",
            lead=lead,
            members=members[lead.pk],
            kind=KINDS[(number - 1) % 3],
            programme=programme,
            number=number,
        )
    return {"communities": len(leads)}
