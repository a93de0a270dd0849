import pytest

from shidian.apps.campaigns.demo import load_demo_campaigns
from shidian.apps.campaigns.models import SheetStatus

pytestmark = pytest.mark.django_db


def test_demo_loads_standards_and_a_campaign(tree):
    result = load_demo_campaigns(county=tree.county, seed=3)
    assert result["created"] and len(result["versions"]) == 2
    assert all(v.is_published for v in result["versions"])
    statuses = set(result["campaign"].sheets.values_list("status", flat=True))
    assert statuses <= set(SheetStatus.values)
    again = load_demo_campaigns(county=tree.county)
    assert not again["created"]


def test_demo_coordinators_school_keeps_a_draft(tree, coordinator):
    result = load_demo_campaigns(county=tree.county, seed=3)
    mine = result["campaign"].sheets.get(unit=tree.school)
    assert mine.status == SheetStatus.DRAFT and 0 < mine.answered < 59
