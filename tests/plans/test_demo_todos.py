"""The demo plans and the home-page to-dos."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shidian.apps.core.todos import todos_for
from shidian.apps.plans.demo import load_demo
from shidian.apps.plans.models import Plan, PlanVersion
from shidian.apps.plans.progress import completion_for
from tests.plans.factories import filed_plan, plan_of, plan_round
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def test_demo_plans_are_approved_with_one_late_pilot_and_idempotent(tree):
    world = pilot_world(tree)
    result = load_demo(programme=world.programme, office=world.office, password="x")
    assert result == {"plans": 6, "created": True}
    assert PlanVersion.objects.filter(plan__programme=world.programme).count() == 6
    figures = completion_for(world.programme, as_of=timezone.localdate())
    assert len(figures) == 6
    assert sum(1 for c in figures.values() if c.late_tasks) == 1
    assert all(c.rate > 0 and c.goal_progress is not None for c in figures.values())
    assert (
        load_demo(programme=world.programme, office=world.office, password="x")["created"] is False
    )
    assert Plan.objects.filter(programme=world.programme).count() == 6


def test_todos_file_returned_and_approve(tree):
    world = plan_round(tree)
    coord = world.coordinators[tree.school.pk]
    now = timezone.now()
    todo = [t for t in todos_for(user=coord, now=now) if "/plans/" in t.url]
    assert [t.kind for t in todo] == ["fill"]
    assert todo[0].url.endswith(f"/plans/{plan_of(world, tree.school).pk}/")
    world, plan = filed_plan(tree)
    office = [t for t in todos_for(user=world.office, now=now) if "/plans/" in t.url]
    assert [t.kind for t in office] == ["approve"]
    from shidian.apps.plans.services import plan_return

    plan_return(plan=plan, user=world.office, note="请补充")
    again = [t for t in todos_for(user=coord, now=now) if "/plans/" in t.url]
    assert [t.kind for t in again] == ["returned"] and again[0].note == "请补充"
    other = world.coordinators[tree.school2.pk]
    assert all(f"/plans/{plan.pk}/" != t.url for t in todos_for(user=other, now=now))
