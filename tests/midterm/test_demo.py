import pytest

from shidian.apps.midterm import selectors
from shidian.apps.midterm.demo import load_demo
from shidian.apps.midterm.models import MidtermRound
from tests.standards.factories import published_version
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def test_demo_round_has_gaps_and_is_idempotent(tree):
    w = pilot_world(tree)
    published_version(tree.county)
    first = load_demo(programme=w.programme, office=w.office, password="pw-demo-1")
    assert first["created"] and first["schools"] == 6
    again = load_demo(programme=w.programme, office=w.office, password="pw-demo-1")
    assert not again["created"] and MidtermRound.objects.count() == 1
    midterm = MidtermRound.objects.get()
    rows = selectors.school_gaps(midterm)
    assert len(rows) == 6 and all(r.report is not None for r in rows)
    assert any(r.report.gaps for r in rows)
