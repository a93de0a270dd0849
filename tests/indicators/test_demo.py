from __future__ import annotations

from tests.indicators.factories import monthly_form
from tests.tracking_world import pilot_world


def test_demo_is_idempotent(tree):
    from shidian.apps.indicators.demo import load_demo
    from shidian.apps.indicators.models import Indicator

    w = pilot_world(tree)
    monthly_form(w.programme)
    first = load_demo(programme=w.programme, office=w.office, password="x")
    assert first["created"] == 4
    assert Indicator.objects.filter(source="report_field").count() == 1  # scoping: ok test
    again = load_demo(programme=w.programme, office=w.office, password="x")
    assert again["created"] == 0 and len(again["indicators"]) == 4
