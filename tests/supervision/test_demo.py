"""The demo loader: two published months, idempotent; skips while the inputs are stubs."""

from __future__ import annotations

import datetime as dt

from shidian.apps.supervision.demo import demo_months, load_demo
from shidian.apps.supervision.models import LeagueTable


def test_demo_publishes_two_months_and_is_idempotent(world, fake_inputs, monkeypatch):
    monkeypatch.setattr(
        "shidian.apps.supervision.demo.timezone.localdate", lambda: dt.date(2026, 7, 10)
    )
    fake_inputs.month("2026-05", world.pilots, rates=[0.9, 0.8, 0.7, 0.6, 0.3, 0.2])
    fake_inputs.month("2026-06", world.pilots, rates=[0.9, 0.8, 0.7, 0.6, 0.3, 0.2])
    first = load_demo(programme=world.programme, office=world.office, password="x")
    assert first["skipped"] == ""
    assert [t.month for t in first["tables"]] == ["2026-05", "2026-06"]
    again = load_demo(programme=world.programme, office=world.office, password="x")
    assert [t.pk for t in again["tables"]] == [t.pk for t in first["tables"]]
    assert LeagueTable.objects.filter(status="published").count() == 2


def test_demo_skips_while_inputs_are_stubs(world, monkeypatch):
    def stub(*args, **kwargs):
        raise NotImplementedError("plans.progress.completion_for")

    monkeypatch.setattr("shidian.apps.plans.progress.completion_for", stub)
    monkeypatch.setattr(
        "shidian.apps.supervision.demo.timezone.localdate", lambda: dt.date(2026, 7, 10)
    )
    result = load_demo(programme=world.programme, office=world.office, password="x")
    assert "completion_for" in result["skipped"]
    assert not LeagueTable.objects.exists()


def test_demo_months_stay_in_the_programme(world):
    assert demo_months(world.programme, dt.date(2026, 1, 15)) == []
    assert demo_months(world.programme, dt.date(2026, 3, 2)) == ["2026-01", "2026-02"]
