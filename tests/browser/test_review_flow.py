"""An expert reviews on a phone: from the home page to the review form, which shows the school's
answers and evidence beside the score inputs, records a veto and saves; the office releases the
reviews from the campaign page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shidian.apps.campaigns.models import Evidence, Review, Sheet
from tests.browser.conftest import ARTIFACTS, PHONE, has_horizontal_scroll, login, screenshot
from tests.campaigns.factories import campaign, full_answers, sheet
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _prepare(tree, coordinator):
    from shidian.apps.campaigns import sheets

    target = sheet(tree)
    expert = make_user("expert", tree.county, "expert", full_name="刘专家")
    campaign(tree).reviewers.add(expert)
    answers = full_answers(target.campaign.version.as_standard(), ratio=(36, 40))
    sheets.sheet_save_all(sheet=target, user=coordinator, answers=answers, base_version=0)
    Evidence.objects.create(
        submission=target,
        item_code="D1.2.1",
        file=SimpleUploadedFile("多媒体教室清单（2026年春季学期）.pdf", b"%PDF-1.4 x"),
        original_name="多媒体教室清单（2026年春季学期）.pdf",
        kind="pdf",
        size=10,
    )
    return Sheet.objects.get(pk=target.pk)


def test_expert_reviews_on_a_phone(browser, live_server, tree, coordinator):
    target = _prepare(tree, coordinator)
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    login(page, live_server, "expert")
    assert not has_horizontal_scroll(page)
    screenshot(page, "review-home-phone")
    page.click(f'a[href="/campaigns/sheets/{target.pk}/review/"]')
    page.wait_for_load_state("networkidle")
    item = page.locator('[id="item-D1.2.1"]')
    assert "多媒体教室数 36 / 教室总数 40" in item.inner_text()
    assert item.locator("a", has_text="多媒体教室清单").count() == 1
    assert not has_horizontal_scroll(page)
    page.fill('input[name="r-D1.1.3"]', "2")
    page.select_option('select[name="r-D6.2.1"]', "是")
    page.fill("#strengths", "网络覆盖好")
    screenshot(page, "review-form-phone")
    page.locator('[id="item-D6.2.1"]').screenshot(path=str(ARTIFACTS / "review-veto-phone.png"))
    # The save button stays in reach while the expert scrolls through the items.
    page.locator('[id="item-D1.1.3"]').scroll_into_view_if_needed()
    assert page.locator("button:has-text('保存评审意见')").is_visible()
    page.screenshot(path=str(ARTIFACTS / "review-viewport-phone.png"))
    page.click("button:has-text('保存评审意见')")
    page.wait_for_load_state("networkidle")
    assert page.locator("#my-vetoed").is_visible()
    review = Review.objects.get(submission=target)
    assert review.vetoed and review.item_scores == {"D1.1.3": 2}
    assert not has_horizontal_scroll(page)
    context.add_cookies([{"name": "shidian_language", "value": "en", "url": live_server.url}])
    page.reload()
    assert "School's answer" in page.inner_text("main") and not has_horizontal_scroll(page)
    screenshot(page, "review-form-phone-en")
    context.close()


def test_review_page_on_a_desktop_and_release(page, live_server, tree, coordinator, office_user):
    from shidian.apps.campaigns import reviews

    target = _prepare(tree, coordinator)
    expert = target.campaign.reviewers.get()
    reviews.review_save(sheet=target, reviewer=expert, item_scores={"D1.1.3": 1})
    login(page, live_server, "expert")
    page.goto(f"{live_server.url}/campaigns/sheets/{target.pk}/review/")
    screenshot(page, "review-form-desktop")
    page.goto(f"{live_server.url}/campaigns/reviews/")
    screenshot(page, "review-list-desktop")
    page.click("a:has-text('自评与核定的差距')")
    page.wait_for_load_state("networkidle")
    assert page.locator("text=评审结果公布前，这里只有您自己的核定。").is_visible()
    screenshot(page, "review-analysis-expert-desktop")
    page.context.clear_cookies()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/campaigns/{target.campaign_id}/")
    page.click("button:has-text('公布评审结果')")
    page.wait_for_load_state("networkidle")
    assert page.locator("text=评审结果已公布").first.is_visible()
    screenshot(page, "review-released-desktop")
