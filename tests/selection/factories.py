"""A selection world for tests: county A of the shared tree with two more zones and 36 more
schools of mixed type, locality and size, a 2021-2023 programme (cycles 5/5/4) over the county,
its self-assessment round in which most schools submitted (some drafts, which must never rank),
and a selection of 14 pilots.

``world(tree)`` builds it once per test database and returns a ``World``; experts come from
``expert(tree, name, unit)``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tests.conftest import make_user

SCHOOLS_PER_ZONE = 12


@dataclass
class World:
    programme: object
    round: object
    selection: object
    zones: list
    schools: list  # every school of county A, shared-tree ones included
    drafts: list = field(default_factory=list)  # schools whose sheet is only a draft


def _schools(tree) -> tuple[list, list]:
    from shidian.apps.orgs.models import Level, Locality, SchoolType
    from shidian.apps.orgs.services import unit_create

    rng = random.Random(11)
    types = [SchoolType.PRIMARY, SchoolType.JUNIOR_HIGH, SchoolType.NINE_YEAR]
    zones = [tree.zone]
    for index, name in enumerate(["甲县西片区", "甲县北片区"], start=2):
        zones.append(unit_create(code=f"A{index}", name=name, level=Level.ZONE, parent=tree.county))
    schools = [tree.school, tree.school2]
    for z, zone in enumerate(zones, start=1):
        for i in range(1, SCHOOLS_PER_ZONE + 1):
            code = f"A{z}-{i + 2:02d}"
            schools.append(
                unit_create(
                    code=code,
                    name=f"{zone.name}{i}号学校",
                    level=Level.SCHOOL,
                    parent=zone,
                    zone=zone,
                    school_type=types[(i + z) % len(types)],
                    locality=Locality.URBAN if (i + z) % 3 else Locality.RURAL,
                    students=rng.randint(200, 2000),
                    teachers=rng.randint(20, 150),
                    classes=rng.randint(6, 48),
                )
            )
    return zones, schools


def world(tree, *, office=None, drafts: int = 3, recommend: bool = False) -> World:
    from django.utils import timezone

    from shidian.apps.campaigns.models import Campaign, Sheet
    from shidian.apps.selection.models import Selection
    from shidian.apps.selection.services.selections import selection_create
    from shidian.apps.submissions.states import Status
    from tests.campaigns.factories import campaign
    from tests.programmes.factories import programme

    existing = Selection.objects.filter(programme__unit=tree.county).first()  # scoping: ok test
    if existing is not None:
        from shidian.apps.orgs.models import OrgUnit

        schools = list(OrgUnit.objects.filter(parent__parent=tree.county, level="school"))
        zones = list(OrgUnit.objects.filter(parent=tree.county, level="zone").order_by("code"))
        return World(existing.programme, existing.round, existing, zones, schools)
    zones, schools = _schools(tree)
    prog = programme(tree)
    round_obj = campaign(tree)
    Campaign.objects.filter(pk=round_obj.pk).update(programme=prog)  # scoping: ok test
    round_obj.refresh_from_db()
    rng = random.Random(7)
    draft_units = schools[-drafts:] if drafts else []
    now = timezone.now()
    for school in schools:
        sheet, _ = Sheet.objects.get_or_create(round=round_obj, unit=school)  # scoping: ok
        status = Status.DRAFT if school in draft_units else Status.SUBMITTED
        Sheet.objects.filter(pk=sheet.pk).update(  # scoping: ok test
            status=status,
            total=round(rng.uniform(55, 98), 1) if status != Status.DRAFT else 99.5,
            submitted_at=now if status != Status.DRAFT else None,
        )
    from shidian.apps.programmes.services import participation_sync

    participation_sync(programme=prog)
    selection = selection_create(
        by=office,
        programme=prog,
        round_obj=round_obj,
        name="甲县试点学校遴选",
        recommend=recommend,
    )
    return World(prog, round_obj, selection, zones, schools, draft_units)


def expert(tree, username: str, unit=None, **extra):
    """An expert account (role expert) of ``unit`` (default: the city's bureau)."""
    return make_user(username, unit or tree.city, "expert", **extra)
