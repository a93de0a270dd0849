"""Who sees what as an expert: only the sheets of the campaigns they review (and through them the
evidence, revisions, workbook and review page), none of the self-score dashboards; an expert
who reviews nothing sees no sheet at all, even inside their own county."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shidian.apps.campaigns import reviews, sheets
from shidian.apps.campaigns.models import (
    Campaign,
    Evidence,
    Review,
    Sheet,
    SheetRevision,
)
from tests.campaigns.factories import campaign, evidence, full_answers
from tests.campaigns.scoping import INSIDER_PERSONAS
from tests.conftest import make_user
from tests.core.test_url_scoping import all_patterns

pytestmark = pytest.mark.django_db

CAMPAIGN_PATTERNS = [p for p in all_patterns() if p[0] and p[0].startswith("campaigns:")]
SCHOOL_NAMES = ("甲县第一小学", "甲县第二初中")


# The walk over every URL for insiders without grants is in tests/core/test_url_scoping.py.


def test_expert_without_review_sees_nothing_of_the_campaigns(tree, client):
    evidence(tree)
    idle = INSIDER_PERSONAS["expert without review"](tree)
    for model in (Campaign, Sheet, SheetRevision, Evidence, Review):
        assert not model.objects.restrict(idle).exists(), model.__name__
    client.force_login(idle)
    home = client.get("/").content.decode()
    assert not any(n in home for n in SCHOOL_NAMES)
    assert "分配给您的评审任务将显示在这里" in home


@pytest.fixture
def two_campaigns(tree, coordinator):
    """Campaign X (reviewed by the expert) and Y (not), both inviting county A's two schools."""
    reviewed = campaign(tree)
    other = campaign(tree, name="2026年另一次自查")
    expert = make_user("expert", tree.county, "expert", full_name="刘专家")
    reviewed.reviewers.add(expert)
    for opened in (reviewed, other):
        target = Sheet.objects.get(round=opened, unit=tree.school)
        sheets.sheet_save_all(
            sheet=target,
            user=coordinator,
            answers=full_answers(opened.version.as_standard()),
            base_version=0,
        )
        Evidence.objects.create(
            submission=target,
            item_code="D1.2.1",
            file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 test"),
            original_name="a.pdf",
            kind="pdf",
            size=13,
        )
    return expert, reviewed, other


def test_expert_sees_exactly_the_sheets_of_the_campaigns_they_review(two_campaigns):
    expert, reviewed, other = two_campaigns
    assert set(Sheet.objects.restrict(expert)) == set(reviewed.sheets.all())
    assert set(Campaign.objects.restrict(expert)) == {reviewed}
    assert set(Evidence.objects.restrict(expert)) == set(
        Evidence.objects.filter(submission__round=reviewed)
    )
    assert set(SheetRevision.objects.restrict(expert)) == set(
        SheetRevision.objects.filter(submission__round=reviewed)
    )


@pytest.mark.parametrize("url_name", ["sheet", "review", "workbook", "history"])
def test_expert_opens_reviewed_sheets_pages_and_no_other(client, tree, two_campaigns, url_name):
    expert, reviewed, other = two_campaigns
    client.force_login(expert)
    for opened, status in ((reviewed, 200), (other, 404)):
        target = Sheet.objects.get(round=opened, unit=tree.school)
        url = reverse(f"campaigns:{url_name}", kwargs={"sheet_id": target.pk})
        assert client.get(url).status_code == status, (opened.name, url_name)


def test_expert_downloads_evidence_of_reviewed_sheets_only(client, two_campaigns):
    expert, reviewed, other = two_campaigns
    client.force_login(expert)
    for opened, status in ((reviewed, 200), (other, 404)):
        item = Evidence.objects.get(submission__round=opened)
        url = reverse("campaigns:evidence", kwargs={"evidence_id": item.pk})
        assert client.get(url).status_code == status


def test_expert_gets_no_self_score_dashboards(client, two_campaigns):
    """Completeness, ranking and the self-score exports are the office's; an expert has the gap
    table of their own reviews (analysis, gaps export) and their list of reviews."""
    expert, reviewed, other = two_campaigns
    client.force_login(expert)
    for name in ("completeness", "ranking"):
        url = reverse(f"campaigns:{name}", kwargs={"campaign_id": reviewed.pk})
        assert client.get(url).status_code == 404, name
    export = reverse("campaigns:export", kwargs={"campaign_id": reviewed.pk})
    for table in ("ranking", "completeness", "type", "zone", "weakest"):
        assert client.get(export, {"table": table}).status_code == 404, table
    assert client.get(export, {"table": "gaps"}).status_code == 200
    analysis = client.get(reverse("campaigns:analysis", kwargs={"campaign_id": reviewed.pk}))
    assert analysis.status_code == 200 and "weakest" not in analysis.context
    detail = client.get(reverse("campaigns:detail", kwargs={"campaign_id": reviewed.pk}))
    assert detail.status_code == 302 and reverse("campaigns:my_reviews") in detail["Location"]
    for name in ("detail", "analysis"):
        url = reverse(f"campaigns:{name}", kwargs={"campaign_id": other.pk})
        assert client.get(url).status_code == 404


def test_zone_and_office_dashboards_are_unchanged(client, two_campaigns, office_user, zone_user):
    _expert, reviewed, _other = two_campaigns
    for user in (office_user, zone_user):
        client.force_login(user)
        for name in ("detail", "completeness", "ranking", "analysis"):
            url = reverse(f"campaigns:{name}", kwargs={"campaign_id": reviewed.pk})
            assert client.get(url).status_code == 200, (user.username, name)


def test_expert_lists_their_reviews_with_links(client, tree, two_campaigns):
    expert, reviewed, other = two_campaigns
    target = Sheet.objects.get(round=reviewed, unit=tree.school)
    reviews.review_save(sheet=target, reviewer=expert, item_scores={"D1.1.3": 1})
    client.force_login(expert)
    for url in ("/", reverse("campaigns:my_reviews")):
        response = client.get(url)
        body = response.content.decode()
        assert reviewed.name in body and other.name not in body
        for unit in (tree.school, tree.school2):
            row_sheet = Sheet.objects.get(round=reviewed, unit=unit)
            assert reverse("campaigns:review", kwargs={"sheet_id": row_sheet.pk}) in body
        assert "已评" in body and "未评" in body
        assert timezone.localtime(reviewed.deadline).strftime("%Y-%m-%d %H:%M") in body
    rows = [row.pk for row in client.get(reverse("campaigns:my_reviews")).context["rows"]]
    # To do first: the school not yet scored comes before the scored one.
    assert rows[-1] == target.pk and len(rows) == 2
