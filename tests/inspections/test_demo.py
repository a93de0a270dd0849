"""The demo: idempotent, items in several states, the demo school account has one to answer."""

from __future__ import annotations

import pytest

from shidian.apps.inspections.demo import load_demo
from shidian.apps.inspections.models import RectificationItem
from tests.conftest import make_user
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_gives_the_school_an_item(tree):
    pw = pilot_world(tree)
    school = make_user("school", tree.school2, "coordinator")
    first = load_demo(programme=pw.programme, office=pw.office, password="x")
    assert first["created"] and first["visit"].status == "completed"
    again = load_demo(programme=pw.programme, office=pw.office, password="x")
    assert not again["created"]
    statuses = set(RectificationItem.objects.values_list("status", flat=True))
    assert {"issued", "answered", "closed"} <= statuses
    mine = RectificationItem.objects.restrict(school, "fill").filter(status="issued")
    assert mine.count() == 1
    assert RectificationItem.objects.filter(escalation_level__gt=0).exists()


def test_demo_school_outside_the_pilots_still_gets_an_item(tree):
    pw = pilot_world(tree)
    school = make_user("school", pw.controls[0], "coordinator")
    load_demo(programme=pw.programme, office=pw.office)
    mine = RectificationItem.objects.restrict(school, "fill").filter(status="issued")
    assert mine.count() == 1
