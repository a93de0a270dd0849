"""The demo definitions load, publish, and load again without change."""

from __future__ import annotations

import pytest

from shidian.apps.reports.demo_definitions import load_demo_definitions
from shidian.apps.reports.models import ReportForm, ReportPeriod
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent(tree):
    world = pilot_world(tree)
    first = load_demo_definitions(programme=world.programme, office=world.office)
    monthly, weekly = first["monthly"], first["weekly"]
    monthly.refresh_from_db()
    assert monthly.status == "published" and weekly.status == "published"
    assert monthly.fields.count() == 8 and weekly.fields.count() == 4
    assert monthly.rules.count() == 1
    assert monthly.periods.count() == 12
    year = world.programme.start_year
    winter = weekly.periods.get(key=f"{year + 1}-W05")
    assert winter.expected is False and winter.not_expected_reason == "vacation"
    counts = (ReportForm.objects.count(), ReportPeriod.objects.count())  # scoping: ok test
    load_demo_definitions(programme=world.programme, office=world.office)
    assert (ReportForm.objects.count(), ReportPeriod.objects.count()) == counts  # scoping: ok test
