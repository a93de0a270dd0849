"""The demo's outcome of the first batch, as `shidian demo` loads it after the years of
implementation: the acceptance round confirmed (passes and conditional passes, rectification
items due), the commendation of the passed pilots approved with its notice (.docx), and a
roll-out plan in draft whose schools are paired with passed pilots. Each loader is idempotent."""

from __future__ import annotations

import pytest

from tests.conftest import make_user
from tests.rollout.factories import COORDS
from tests.standards.factories import published_version
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCUMENTS_SOFFICE = "/nonexistent/soffice"  # the PDF is the worker's, not ours


def test_demo_confirms_acceptance_commends_and_drafts_a_rollout_plan(tree):
    from shidian.apps.acceptance.demo import load_demo as load_acceptance
    from shidian.apps.acceptance.models import Verdict
    from shidian.apps.commendations.demo import load_demo as load_commendations
    from shidian.apps.inspections.models import RectificationItem
    from shidian.apps.orgs.models import OrgUnit
    from shidian.apps.rollout.demo import load_demo as load_rollout
    from shidian.apps.submissions.models import Submission

    w = pilot_world(tree)
    w.programme.standard_versions.add(published_version(tree.county))
    make_user("expert", tree.county, "expert")
    make_user("demo-leader", tree.county, "leading_group")
    for code, (lat, lon) in COORDS.items():
        OrgUnit.objects.filter(code=code).update(latitude=lat, longitude=lon)  # scoping: ok test

    made = load_acceptance(programme=w.programme, office=w.office)
    assert made["created"] and made["acceptance"].status == "confirmed"
    verdicts = Verdict.objects.filter(acceptance=made["acceptance"])  # scoping: ok test
    outcomes = list(verdicts.values_list("outcome", flat=True))
    assert len(outcomes) == 6 and {"pass", "conditional"} <= set(outcomes)
    items = RectificationItem.objects.filter(programme=w.programme)  # scoping: ok test
    assert items.exists() and all(i.due_on for i in items)
    subs = Submission.objects.filter(round=made["acceptance"].round)  # scoping: ok test
    assert subs.count() == 6 and not subs.filter(status="draft").exists()

    praised = load_commendations(programme=w.programme, office=w.office)
    c = praised["commendation"]
    assert praised["created"] and c.status == "approved" and c.notice is not None
    assert c.notice.docx and c.nominations.filter(category="unit").count() == outcomes.count("pass")

    rolled = load_rollout(programme=w.programme, office=w.office)
    p = rolled["plan"]
    assert rolled["created"] and p.status == "draft" and p.schools.count() >= 1
    assert not p.schools.filter(lead__isnull=True).exists()
    assert all(s.km <= p.max_km for s in p.schools.all())

    assert not load_acceptance(programme=w.programme, office=w.office)["created"]
    assert not load_commendations(programme=w.programme, office=w.office)["created"]
    assert not load_rollout(programme=w.programme, office=w.office)["created"]
