"""A pilot submits a typical case with an image, the office sends it to an expert, the expert
recommends it, the office accepts it; a colleague school finds it by a two-character search
and sees the highlighted hit (desktop and phone)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.cases.factories import TEXT, expert, image_bytes
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db(transaction=True)


def _as(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    login(page, live_server, username)
    page.wait_for_load_state("networkidle")


def test_case_from_call_to_search(page, phone_page, live_server, tree, tmp_path):
    from shidian.apps.cases.models import Case
    from shidian.apps.submissions.models import Submission

    w = pilot_world(tree)
    reviewer = expert(tree)
    _as(page, live_server, "tw-office")
    page.goto(f"{live_server.url}/cases/programmes/{w.programme.pk}/")
    page.fill("#call-name", "2026年典型案例征集")
    page.click("#call-submit")
    page.wait_for_selector("#call-sheets")
    assert page.locator("#call-sheets tbody tr").count() == 6

    _as(page, live_server, "coord-A1-1")
    page.goto(f"{live_server.url}/cases/")
    page.click("#my-cases a")
    photo = tmp_path / "课堂照片.png"
    photo.write_bytes(image_bytes())
    page.set_input_files("#attach-file", str(photo))
    page.click("#attach-go")
    page.wait_for_selector(".case-images code")
    marker = page.locator(".case-images code").first.inner_text()
    page.fill("#f-title", TEXT["title"])
    page.fill("#f-summary", TEXT["summary"])
    page.fill("#f-body", TEXT["body"] + "\n\n" + marker)
    page.select_option("#f-subject", "maths")
    page.select_option("#f-theme", "teaching")
    page.click("#case-submit")
    page.wait_for_selector("#case-status")
    assert "已提交" in page.locator("#case-status").inner_text()
    sheet = Submission.objects.get(round__kind="typical_case", unit=tree.school)
    assert sheet.status == "submitted"

    _as(page, live_server, "tw-office")
    page.goto(f"{live_server.url}/cases/submissions/{sheet.pk}/")
    assert page.locator(".case-body img").count() == 1
    page.check(f"#review-form input[value='{reviewer.pk}']")
    page.click("#send-review")
    page.wait_for_selector(".message-success")

    _as(page, live_server, reviewer.username)
    page.goto(f"{live_server.url}/cases/")
    page.click("#my-reviews a")
    page.check("#opinion-form input[value='recommend']")
    page.fill("#opinion-comment", "做法具体，可推广。")
    page.click("#opinion-go")
    page.wait_for_selector("#opinions li")

    _as(page, live_server, "tw-office")
    page.goto(f"{live_server.url}/cases/submissions/{sheet.pk}/")
    assert "推荐入库" in page.locator("#opinions").inner_text()
    page.click("#accept")
    page.wait_for_selector("#case")
    assert Case.objects.count() == 1

    _as(page, live_server, "coord-A1-2")
    page.goto(f"{live_server.url}/cases/")
    page.fill("#case-q", "课堂")
    page.click("#case-search-go")
    page.wait_for_selector(".case-hit mark")
    assert page.locator(".case-hit").count() == 1
    assert page.locator(".case-hit h2 mark").first.inner_text() == "课堂"
    assert "q=" in page.url  # htmx pushed the search into the address
    screenshot(page, "cases-library-desktop")
    page.click(".case-hit h2 a")
    page.wait_for_selector(".case-body img")
    assert page.evaluate("document.querySelector('.case-body img').naturalWidth") == 40
    screenshot(page, "cases-detail-desktop")

    _as(phone_page, live_server, "coord-A1-2")
    phone_page.goto(f"{live_server.url}/cases/?q=试点")
    assert phone_page.locator(".case-hit mark").count() >= 1
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "cases-library-phone")
