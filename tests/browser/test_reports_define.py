"""The office defines a monthly report: two number fields and a rule, previews the periods
(the summer-vacation month is not expected), generates them and publishes; the fields and
periods pages read on a 375-px phone without sideways scrolling."""

from __future__ import annotations

import pytest

from shidian.apps.reports.models import ReportForm
from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.reports.scoping import county_calendar
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_defines_previews_and_publishes(page, phone_page, live_server, tree):
    world = pilot_world(tree)
    calendar = county_calendar(tree)
    login(page, live_server, "tw-office")
    page.goto(f"{live_server.url}/reports/programmes/{world.programme.pk}/forms/")
    page.click("#create-form")
    page.fill("#id_name", "智慧校园建设月报")
    page.select_option("#id_period_type", "monthly")
    page.fill("#id_starts_on", "2026-09-01")
    page.fill("#id_ends_on", "2027-08-31")
    page.select_option("#id_calendar", str(calendar.pk))
    page.click("#save-form")
    page.wait_for_selector("#field-form")
    for code, label in (("classrooms", "教室数"), ("connected", "联网教室数")):
        page.fill("#id_code", code)
        page.fill("#id_label", label)
        page.select_option("#id_type", "number")
        page.click("#add-field-btn")
        page.wait_for_selector(f"#field-{code}")
    form = ReportForm.objects.get(name="智慧校园建设月报")  # scoping: ok test
    assert list(form.fields.values_list("code", flat=True)) == ["classrooms", "connected"]

    page.click("#tab-rules")
    page.fill("#id_left", "connected")
    page.select_option("#id_operator", "le")
    page.fill("#id_right", "classrooms")
    page.click("#add-rule-btn")
    page.wait_for_selector("#rule-table td")
    assert "联网教室数应小于等于教室数" in page.inner_text("#rule-table")

    page.click("#tab-periods")
    page.wait_for_selector("#period-table")
    august = page.inner_text("#period-2027-08")
    assert "不需报送" in august and "假期" in august
    assert "需报送" in page.inner_text("#period-2026-09")
    screenshot(page, "reports-define-periods")
    page.click("#materialize")
    page.wait_for_selector("#period-table")
    assert form.periods.count() == 12

    page.click("#tab-detail")
    page.click("#publish-form")
    page.wait_for_selector("#close-form")
    assert "已发布" in page.inner_text("#form-status")
    form.refresh_from_db()
    assert form.status == "published"

    login(phone_page, live_server, "tw-office")
    for tab in ("fields", "periods", "rules"):
        phone_page.goto(f"{live_server.url}/reports/forms/{form.pk}/{tab}/")
        phone_page.wait_for_selector("main")
        assert not has_horizontal_scroll(phone_page), tab
        screenshot(phone_page, f"reports-define-{tab}-phone")
