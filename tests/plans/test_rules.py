"""Indicator codes from the programme's standard, and who reaches a plan."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from shidian.apps.core.access import FILL, MANAGE, VIEW
from shidian.apps.plans import services
from shidian.apps.plans.kind import indicator_codes
from shidian.apps.plans.models import Plan, PlanTask
from shidian.apps.plans.services.filings import current_filing
from tests.conftest import make_user
from tests.plans.factories import GOALS, TASKS, approved_plan, plan_of, plan_round
from tests.standards.factories import published_version

pytestmark = pytest.mark.django_db


def test_indicator_codes_come_from_the_programmes_standard(tree):
    world = plan_round(tree)
    version = published_version(tree.county)
    world.programme.standard_versions.add(version)
    codes = indicator_codes(world.programme)
    known = sorted(codes)[0]
    plan = plan_of(world, tree.school)
    coord = world.coordinators[tree.school.pk]
    with pytest.raises(ValidationError, match="不在本项目的指标体系中"):
        services.plan_save(
            plan=plan,
            user=coord,
            answers={"goals": GOALS, "tasks": [dict(TASKS[0], indicator="NOPE-9")]},
            base_version=0,
        )
    services.plan_save(
        plan=plan,
        user=coord,
        answers={"goals": GOALS, "tasks": [dict(TASKS[0], indicator=known)]},
        base_version=0,
    )
    assert current_filing(plan).submission.answers["tasks"][0]["indicator"] == known


def test_who_reaches_a_plan(tree, zone_user, outsider):
    world, plan = approved_plan(tree)
    coord = world.coordinators[tree.school.pk]
    idle_expert = make_user("plans-idle-expert", tree.county, "expert")
    assert list(Plan.objects.restrict(coord, FILL)) == [plan]
    assert Plan.objects.restrict(zone_user, VIEW).filter(pk=plan.pk).exists()
    assert not Plan.objects.restrict(zone_user, FILL).filter(pk=plan.pk).exists()
    assert Plan.objects.restrict(world.office, MANAGE).filter(pk=plan.pk).exists()
    for nobody in (outsider, idle_expert, world.coordinators[tree.school2.pk]):
        assert not Plan.objects.restrict(nobody, VIEW).filter(pk=plan.pk).exists()
        assert not PlanTask.objects.restrict(nobody, VIEW).exists()
    assert PlanTask.objects.restrict(coord, VIEW).count() == 2
