"""The demo filing: opens the periods and files most past ones (some late, one missing);
loading it twice changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from shidian.apps.reports import completeness, rules
from shidian.apps.reports.demo_filing import load_demo_filing
from shidian.apps.submissions.models import Submission
from tests.reports.scoping_filing import make_form
from tests.reports.test_fill_kind import fake_rules
from tests.tracking_world import pilot_world

pytestmark = [pytest.mark.django_db]


def test_demo_filing_is_idempotent_and_leaves_late_and_missing(tree, monkeypatch):
    monkeypatch.setattr(rules, "check_rules", fake_rules)
    world = pilot_world(tree)
    form = make_form(world.programme)
    today = dt.date(2026, 7, 20)
    first = load_demo_filing(programme=world.programme, today=today, backdate=False)
    assert first["filed"] > 0
    again = load_demo_filing(programme=world.programme, today=today, backdate=False)
    assert again == {"opened": 0, "filed": 0}
    monkeypatch.setattr(completeness.timezone, "localdate", lambda *a: today)
    got = completeness.timeliness_for(world.programme, start=dt.date(2026, 1, 1), end=today)
    total = {k: sum(getattr(t, k) for t in got.values()) for k in ("on_time", "late", "missing")}
    assert total["on_time"] > total["late"] > 0 and total["missing"] >= 1
    assert Submission.objects.filter(round__report_period__form=form).exists()
