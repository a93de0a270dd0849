"""The demo expert reviews the demo campaign: the home page lists the assignments and every link
opens a review page."""

from __future__ import annotations

import re

import pytest

from shidian.apps.accounts.demo import create_demo_accounts
from shidian.apps.accounts.models import User
from shidian.apps.campaigns.demo import CAMPAIGN_NAME, load_demo_campaigns

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(tree):
    create_demo_accounts(
        county=tree.county,
        zone=tree.zone,
        school=tree.school,
        community_lead_school=tree.school2,
        password="Demo-pass-2026",
    )
    return load_demo_campaigns(county=tree.county, seed=3)["campaign"]


def test_demo_expert_reviews_the_demo_campaign(demo):
    expert = User.objects.get(username="expert")
    assert demo.reviewers.filter(pk=expert.pk).exists()


def test_demo_expert_home_lists_the_reviews_and_links_open(client, demo):
    client.force_login(User.objects.get(username="expert"))
    home = client.get("/").content.decode()
    assert CAMPAIGN_NAME in home
    links = re.findall(r'href="(/campaigns/sheets/\d+/review/)"', home)
    assert len(links) == demo.sheets.count()
    for link in links:
        page = client.get(link)
        assert page.status_code == 200 and "专家评审" in page.content.decode()
    assert 'href="/campaigns/reviews/"' in home


def test_an_existing_demo_campaign_gains_the_demo_expert(demo):
    demo.reviewers.clear()
    again = load_demo_campaigns(county=demo.unit)
    assert not again["created"]
    assert again["campaign"].reviewers.filter(username="expert").exists()
