"""Plans test data on the tracking world: a plan round for batch 1 and filed, approved plans."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.tracking_world import pilot_world

TASKS = [
    {
        "code": "T1",
        "title": "建设录播教室",
        "owner": "王老师",
        "starts_on": "2026-03-01",
        "due_on": "2026-06-30",
        "deliverable": "验收报告",
        "indicator": "",
        "weight": "3",
    },
    {
        "code": "T2",
        "title": "教师信息技术培训",
        "owner": "李老师",
        "starts_on": "2026-04-01",
        "due_on": "2027-06-30",
        "deliverable": "培训记录",
        "indicator": "",
        "weight": "1",
    },
]
GOALS = [
    {
        "code": "G1",
        "indicator": "",
        "title": "多媒体教室占比",
        "baseline": "40",
        "target": "100",
        "target_date": "2027-12-31",
    }
]


def plan_round(tree):
    from shidian.apps.plans.models import Plan
    from shidian.apps.plans.services import plan_round_open

    world = pilot_world(tree)
    if not Plan.objects.filter(programme=world.programme).exists():
        plan_round_open(
            programme=world.programme,
            batch=world.batch1,
            user=world.office,
            deadline=timezone.now() + dt.timedelta(days=20),
        )
    return world


def plan_of(world, unit):
    from shidian.apps.plans.models import Plan

    return Plan.objects.get(programme=world.programme, unit=unit)


def filed_plan(tree, unit=None, *, tasks=TASKS, goals=GOALS):
    """The unit's plan, saved and submitted."""
    from shidian.apps.plans.services import plan_save, plan_submit
    from shidian.apps.plans.services.filings import current_filing

    world = plan_round(tree)
    unit = unit or tree.school
    plan = plan_of(world, unit)
    coordinator = world.coordinators[unit.pk]
    sub = current_filing(plan).submission
    plan_save(
        plan=plan,
        user=coordinator,
        answers={"goals": goals, "tasks": tasks},
        base_version=sub.version,
    )
    plan_submit(plan=plan, user=coordinator)
    return world, plan


def approved_plan(tree, unit=None, *, weighting="weight", on=dt.date(2026, 3, 1)):
    """Filed and approved, the version backdated to take effect ``on``."""
    from shidian.apps.plans.models import PlanVersion
    from shidian.apps.plans.services import plan_approve

    world, plan = filed_plan(tree, unit)
    plan_approve(plan=plan, user=world.office, weighting=weighting)
    PlanVersion.objects.filter(plan=plan).update(effective_on=on)
    return world, plan
