import pytest
from tests.tracking_world import pilot_world
pytestmark = pytest.mark.django_db
def test_world(tree):
    w = pilot_world(tree)
    w2 = pilot_world(tree)
    from shidian.apps.programmes.models import Participation, ParticipationEvent
    assert len(w.pilots) == 6 and len(w2.controls) == 2
    ev = ParticipationEvent.objects.filter(participation__unit=w.late_joiner, to_state="pilot").get()
    assert ev.at.date().isoformat() == "2026-09-01"
    assert Participation.objects.filter(programme=w.programme, state="pilot").count() == 6
