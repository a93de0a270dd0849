"""A roll-out world: the commendation world's passed pilots as leads (A1-1 and A1-2 accepted,
A1-3 conditional), the two controls (A1-7, A1-8) and three new eligible schools (A1-9..A1-11)
as remaining candidates, everyone with coordinates: A1-11 lies ~170 km from every lead."""

from __future__ import annotations

from tests.commendations.factories import leader, passed_world  # noqa: F401 (re-exported)

COORDS = {
    "A1-1": (30.00, 120.00),
    "A1-2": (30.10, 120.00),
    "A1-3": (30.50, 120.50),
    "A1-7": (30.01, 120.00),
    "A1-8": (30.09, 120.00),
    "A1-9": (30.02, 120.00),
    "A1-10": (30.11, 120.00),
    "A1-11": (31.50, 121.00),
}


def rollout_world(tree):
    from shidian.apps.orgs.models import Level, OrgUnit
    from shidian.apps.orgs.services import unit_create
    from shidian.apps.programmes.services import participation_sync

    w = passed_world(tree)
    if not OrgUnit.objects.filter(code="A1-9").exists():  # scoping: ok test
        for i in (9, 10, 11):
            unit_create(
                code=f"A1-{i}",
                name=f"甲县第{i}学校",
                level=Level.SCHOOL,
                parent=tree.zone,
                zone=tree.zone,
            )
        participation_sync(programme=w.programme)
        for code, (lat, lon) in COORDS.items():
            OrgUnit.objects.filter(code=code).update(latitude=lat, longitude=lon)  # scoping: ok
    return w


def unit(code):
    from shidian.apps.orgs.models import OrgUnit

    return OrgUnit.objects.get(code=code)  # scoping: ok test


def plan(tree, **extra):
    from shidian.apps.rollout.models import RolloutPlan
    from shidian.apps.rollout.services import plan_create

    w = rollout_world(tree)
    found = RolloutPlan.objects.filter(programme=w.programme).first()  # scoping: ok test
    if found and not extra:
        return found
    args = {"name": "2029年推广计划", "year": 2029, "max_km": 20, "max_load": 2, **extra}
    return plan_create(by=w.office, programme=w.programme, **args)
