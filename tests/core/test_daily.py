"""The daily jobs: the tracking apps register theirs, and enqueueing runs them (the test
settings' immediate backend runs a task at once)."""

import datetime as dt

import pytest

from shidian.apps.core.daily import daily_jobs, enqueue_daily

pytestmark = pytest.mark.django_db


def test_the_tracking_apps_register_their_daily_jobs():
    names = {getattr(t, "name", "") for t in daily_jobs()}
    assert {"open_due_periods", "escalate_overdue_items"} <= names


def test_enqueue_runs_every_job(tree):
    from shidian.apps.inspections.services.rectification import rectification_issue
    from tests.conftest import make_user

    office = make_user("daily-office", tree.county, "office")
    item = rectification_issue(
        by=office, unit=tree.school, title="整改一", due_on=dt.date(2020, 1, 1)
    )
    assert enqueue_daily() == len(daily_jobs())
    item.refresh_from_db()
    assert item.escalation_level > 0  # overdue since 2020: escalated by the daily job
