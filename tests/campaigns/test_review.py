"""Expert review: blind until the office releases the reviews, veto items, the school's answers
and evidence on the review form, and clean input."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shidian.apps.campaigns import reviews, selectors, sheets
from shidian.apps.campaigns.models import Evidence, Notification, Review
from shidian.apps.core.models import AuditEvent
from tests.campaigns.factories import campaign, full_answers, sheet
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value|name="csrf-token" content)="[^"]+"')


@pytest.fixture
def filled(tree, coordinator):
    """County A's campaign with school A1-1's complete sheet (self total 106 minus the veto)."""
    opened = campaign(tree)
    target = sheet(tree)
    standard = opened.version.as_standard()
    sheets.sheet_save_all(
        sheet=target, user=coordinator, answers=full_answers(standard), base_version=0
    )
    target.refresh_from_db()
    return target


@pytest.fixture
def experts(tree):
    first = make_user("expert1", tree.county, "expert", full_name="甲专家")
    second = make_user("expert2", tree.county, "expert", full_name="乙专家")
    campaign(tree).reviewers.add(first, second)
    return first, second


def _review(target, reviewer, **scores):
    return reviews.review_save(
        sheet=target,
        reviewer=reviewer,
        item_scores={code.replace("_", "."): v for code, v in scores.items()},
        strengths=f"{reviewer.username} 的意见",
    )


def _seen_by(client, user, target) -> dict[str, str]:
    """Everything ``user`` is shown about the campaign, with per-response noise removed."""
    client.force_login(user)
    opened = target.campaign
    pages = {
        "review": reverse("campaigns:review", kwargs={"sheet_id": target.pk}),
        "analysis": reverse("campaigns:analysis", kwargs={"campaign_id": opened.pk}),
        "history": reverse("campaigns:history", kwargs={"sheet_id": target.pk}),
        "sheet": reverse("campaigns:sheet", kwargs={"sheet_id": target.pk}),
        "my_reviews": reverse("campaigns:my_reviews"),
        "list": reverse("campaigns:list"),
        "home": "/",
    }
    seen = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        seen[name] = CSRF.sub("", response.content.decode())
    export = client.get(
        reverse("campaigns:export", kwargs={"campaign_id": opened.pk}), {"table": "gaps"}
    )
    assert export.status_code == 200
    sheet_ = load_workbook(io.BytesIO(export.content)).active
    seen["gaps export"] = repr([[c.value for c in row] for row in sheet_.iter_rows()])
    return seen


def test_nothing_a_reviewer_sees_depends_on_another_reviewers_scores(
    client, filled, experts, office_user
):
    """Before release, change the other expert's review: every page and export the second
    expert can open stays byte for byte the same."""
    first, second = experts
    _review(filled, second, D1_1_3=2)
    _review(filled, first, D1_1_3=0, D1_1_1=0)
    before = _seen_by(client, second, filled)
    _review(filled, first, D1_1_3=3, D2_1_2=1)
    Review.objects.filter(reviewer=first).update(strengths="完全不同的意见", vetoed=True)
    after = _seen_by(client, second, filled)
    for name in before:
        assert before[name] == after[name], f"{name} changed with another reviewer's scores"
    assert "甲专家" not in "".join(after.values())


def test_before_release_a_reviewer_sees_only_their_own_figures(client, filled, experts):
    first, second = experts
    mine = _review(filled, second, D1_1_3=2)
    _review(filled, first, D1_1_3=0)
    client.force_login(second)
    analysis = client.get(reverse("campaigns:analysis", kwargs={"campaign_id": filled.campaign_id}))
    assert analysis.status_code == 200
    [row] = analysis.context["gaps"]
    assert row["reviewed"] == round(mine.total, 2) and row["reviews"] == 1
    review_page = client.get(reverse("campaigns:review", kwargs={"sheet_id": filled.pk}))
    gaps = {g["code"]: g for g in review_page.context["gaps"]}
    assert gaps["D1.1.3"]["reviewed"] == [2]


def test_office_always_sees_every_review(client, filled, experts, office_user):
    first, second = experts
    _review(filled, first, D1_1_3=0)
    _review(filled, second, D1_1_3=2)
    [row] = selectors.gap_summary(sheets=filled.campaign.sheets.all(), user=office_user)
    assert row["reviews"] == 2
    client.force_login(office_user)
    body = client.get(reverse("campaigns:review", kwargs={"sheet_id": filled.pk})).content
    assert "甲专家" in body.decode() and "乙专家" in body.decode()


def test_office_releases_the_reviews_then_reviewers_see_reconciled_figures(
    client, filled, experts, office_user
):
    first, second = experts
    _review(filled, first, D1_1_3=0)
    _review(filled, second, D1_1_3=2)
    client.force_login(office_user)
    detail = client.get(reverse("campaigns:detail", kwargs={"campaign_id": filled.campaign_id}))
    release = reverse("campaigns:release_reviews", kwargs={"campaign_id": filled.campaign_id})
    assert release in detail.content.decode()
    assert client.post(release).status_code == 302
    filled.campaign.refresh_from_db()
    assert filled.campaign.reviews_released_at is not None
    assert AuditEvent.objects.filter(action="campaigns.reviews_release").count() == 1
    assert Notification.objects.filter(user=second, message__contains="评审结果已公布").exists()

    [row] = selectors.gap_summary(sheets=filled.campaign.sheets.all(), user=second)
    assert row["reviews"] == 2
    gaps = {g["code"]: g for g in selectors.review_gaps(sheet=filled, user=second)}
    assert sorted(gaps["D1.1.3"]["reviewed"]) == [0, 2] and gaps["D1.1.3"]["gap"] == 2

    # Once the others' scores are visible, changing one's own would not be independent.
    with pytest.raises(ValidationError):
        _review(filled, second, D1_1_3=1)
    with pytest.raises(ValidationError):
        reviews.reviews_release(campaign=filled.campaign, user=office_user)


def test_only_the_campaigns_office_releases(client, filled, experts, zone_user):
    first, _second = experts
    release = reverse("campaigns:release_reviews", kwargs={"campaign_id": filled.campaign_id})
    for user in (first, zone_user):
        client.force_login(user)
        assert client.post(release).status_code == 404
        with pytest.raises(PermissionDenied):
            reviews.reviews_release(campaign=filled.campaign, user=user)
    filled.campaign.refresh_from_db()
    assert filled.campaign.reviews_released_at is None


def test_only_reviewers_write_reviews(filled, office_user, tree):
    idle = make_user("idle-expert", tree.county, "expert")
    for user in (office_user, idle):
        with pytest.raises(PermissionDenied):
            _review(filled, user, D1_1_3=1)
    assert not Review.objects.exists()


def test_reviewer_records_a_veto(client, filled, experts):
    first, _second = experts
    client.force_login(first)
    url = reverse("campaigns:review", kwargs={"sheet_id": filled.pk})
    page = client.get(url).content.decode()
    veto_input = re.search(r'<select name="r-D6\.2\.1">.*?</select>', page, re.S)
    assert veto_input and ">是<" in veto_input.group(0) and ">否<" in veto_input.group(0)
    assert 'max="0"' not in page
    response = client.post(url, {"r-D6.2.1": "是", "r-D1.1.3": "2"})
    assert response.status_code == 302
    review = Review.objects.get(reviewer=first)
    assert review.vetoed and review.veto_answers == {"D6.2.1": "是"}
    assert review.item_scores == {"D1.1.3": 2}
    page = client.get(url).content.decode()
    assert 'id="my-vetoed"' in page
    assert re.search(r'<option value="是" selected>', page)
    [row] = selectors.gap_summary(sheets=filled.campaign.sheets.all(), user=first)
    assert row["vetoes"] == 1


def test_a_blank_veto_keeps_the_schools_answer(filled, experts, coordinator):
    first, _second = experts
    assert not _review(filled, first).vetoed
    filled.answers["D6.2.2"] = {"value": "是"}
    filled.save()
    assert _review(filled, first).vetoed
    overruled = reviews.review_save(
        sheet=filled, reviewer=first, item_scores={}, vetoes={"D6.2.2": "否"}
    )
    assert not overruled.vetoed and overruled.veto_answers == {"D6.2.2": "否"}


def test_bad_scores_are_refused_with_a_message_and_the_input_kept(client, filled, experts):
    first, _second = experts
    client.force_login(first)
    url = reverse("campaigns:review", kwargs={"sheet_id": filled.pk})
    response = client.post(
        url,
        {
            "r-D1.1.3": "abc",
            "r-D1.1.1": "nan",
            "r-D2.1.2": "5",
            "r-D6.2.1": "也许",
            "r-D1.1.4": "1",
            "strengths": "保留这段话",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    for code in ("D1.1.3", "D1.1.1", "D2.1.2", "D6.2.1"):
        assert f"{code}：" in body
    assert "could not convert" not in body
    assert 'value="abc"' in body and "保留这段话" in body
    assert not Review.objects.exists()


def test_remarks_lose_control_characters_and_keep_line_breaks(filled, experts):
    first, _second = experts
    review = reviews.review_save(
        sheet=filled,
        reviewer=first,
        item_scores={},
        strengths="第一行\x0b第二行\x00",
        weaknesses="  \x07不足  ",
    )
    assert review.strengths == "第一行\n第二行" and review.weaknesses == "不足"


def test_review_form_shows_the_schools_answers_evidence_and_self_scores(
    client, filled, experts, coordinator
):
    from shidian.apps.campaigns.evidence import evidence_add

    first, _second = experts
    filled.answers["D1.2.1"] = {"numerator": 36, "denominator": 40}
    filled.answers["D1.1.2"] = {"value": 1200}
    filled.save()
    evidence_add(
        sheet=filled,
        user=coordinator,
        item_code="D1.2.1",
        upload=SimpleUploadedFile("教室清单.pdf", b"%PDF-1.4 list"),
    )
    client.force_login(first)
    response = client.get(reverse("campaigns:review", kwargs={"sheet_id": filled.pk}))
    body = response.content.decode()
    item = re.search(r'id="item-D1\.2\.1".*?</div>\s*</div>', body, re.S).group(0)
    assert "多媒体教室数 36 / 教室总数 40" in item
    evidence = Evidence.objects.get(item_code="D1.2.1")
    link = reverse("campaigns:evidence", kwargs={"evidence_id": evidence.pk})
    assert f'href="{link}"' in item and "教室清单.pdf" in item
    assert 'name="r-D1.2.1"' in item
    levels = re.search(r'id="item-D1\.1\.3".*?</div>\s*</div>', body, re.S).group(0)
    assert "A（3 分）" in levels and "自评得分" in levels
    assert "1200" in re.search(r'id="item-D1\.1\.2".*?</div>\s*</div>', body, re.S).group(0)
    assert "是" in re.search(r'id="item-D1\.1\.1".*?</div>\s*</div>', body, re.S).group(0)
    # The reviewer may open the files the form links to.
    assert client.get(link).status_code == 200


def test_review_page_in_english(client, filled, experts):
    first, _second = experts
    client.force_login(first)
    client.cookies["shidian_language"] = "en"
    body = client.get(reverse("campaigns:review", kwargs={"sheet_id": filled.pk})).content
    text = body.decode()
    assert "Expert review" in text and "School's answer" in text
    assert "学校填报" not in text
