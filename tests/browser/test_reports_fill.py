"""A pilot fills and submits a monthly report on a 375-px phone (autosave per field; the first
submit shows the rule failure naming the fields); the office sees it on time in the
completeness table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shidian.apps.reports import rules
from shidian.apps.reports.expected import end_of_day
from shidian.apps.reports.models import ReportPeriod
from shidian.apps.submissions.models import Round, Submission
from tests.browser.conftest import DESKTOP, PHONE, has_horizontal_scroll, login, screenshot
from tests.reports.scoping_filing import report_world
from tests.reports.test_fill_kind import fake_rules

pytestmark = [pytest.mark.django_db(transaction=True)]


def _saved(page, code):
    page.wait_for_selector(f"#st-{code}.is-saved")


def test_pilot_fills_on_a_phone_and_the_office_sees_it_on_time(
    browser, live_server, tree, monkeypatch
):
    monkeypatch.setattr(rules, "check_rules", fake_rules)
    world = report_world(tree)
    period = world.periods["2026-05"]
    closes = timezone.localdate() + dt.timedelta(days=7)  # still open: on time when filed now
    ReportPeriod.objects.filter(pk=period.pk).update(
        closes_on=closes, due_on=closes - dt.timedelta(days=2)
    )
    Round.objects.filter(pk=period.round_id).update(deadline=end_of_day(closes))
    sub = Submission.objects.get(round=period.round, unit=tree.school)  # scoping: ok test

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(20_000)
    login(page, live_server, f"coord-{tree.school.code}")
    page.goto(f"{live_server.url}/reports/mine/")
    page.get_by_role("link", name="2026年5月", exact=True).click()
    page.wait_for_selector("#fill-form")
    page.fill("#in-rooms", "10")
    page.locator("#in-rooms").blur()
    _saved(page, "rooms")
    page.fill("#in-connected", "12")
    page.locator("#in-connected").blur()
    _saved(page, "connected")
    page.check("#na-share")
    _saved(page, "share")
    page.select_option("#in-trained", "1")
    _saved(page, "trained")
    page.select_option("#in-level", "顺利")
    _saved(page, "level")
    assert not has_horizontal_scroll(page)
    page.click("#submit-report")
    page.wait_for_selector("#submit-problems")
    assert "联网教室数应不超过教室数" in page.inner_text("#submit-problems")
    screenshot(page, "reports-fill-phone-problems")
    page.fill("#in-connected", "8")
    page.locator("#in-connected").blur()
    _saved(page, "connected")
    page.click("#submit-report")
    page.wait_for_selector("text=已报送。")
    sub.refresh_from_db()
    assert sub.status == "submitted" and sub.answers["share"] == "na"
    assert sub.answers["connected"] == 8.0
    screenshot(page, "reports-fill-phone-submitted")
    phone.close()

    office = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = office.new_page()
    login(page, live_server, "tw-office")
    page.goto(f"{live_server.url}/reports/periods/{period.pk}/completeness/")
    row = page.locator("#comp-period-table tr", has_text=tree.school.name)
    assert "按时" in row.inner_text()
    screenshot(page, "reports-completeness")
    office.close()
