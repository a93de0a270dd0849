"""The office opens a programme's evaluation page: the estimates table and the event-study chart
(ECharts, drawn by static/evaluation/event_study.js under the CSP) render, on a desktop and on
a 375-px phone; a refusal reads as a sentence; a periodic report's field is an outcome too."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.evaluation.world import evaluation_world, report_form

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_sees_event_study_chart_and_estimates(page, phone_page, live_server, tree):
    world = evaluation_world(tree)
    _form, fields, _periods = report_form(world)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))  # a script error (CSP, ECharts)
    login(page, live_server, world.office.username)
    page.goto(f"{live_server.url}/programmes/{world.programme.pk}/")
    page.click("#evaluation-links a")
    page.wait_for_selector("#estimates-table")
    rows = page.locator("#estimates-table tbody tr")
    assert rows.count() == 4
    assert "双向固定效应" in page.inner_text("#estimates-table")
    page.wait_for_selector("#event-study-chart svg path", state="attached")
    assert page.locator("#event-study-chart svg, #event-study-chart canvas").count() >= 1
    assert "临界值" in page.inner_text("#breakdown")
    assert "shidian did" in page.inner_text("#did-command")
    screenshot(page, "evaluation-page")
    assert not errors, errors

    page.select_option("#id_outcome", "ind:D6.2")
    page.click("#evaluation-form button[type=submit]")
    page.wait_for_selector("#refusal")
    assert "没有可比较的变化" in page.inner_text("#refusal")
    assert page.locator("#event-study-chart").count() == 0

    # a periodic report's numeric field, chosen under its own heading in the chooser
    group = page.locator('#id_outcome optgroup[label="周期报表（数值字段）"] option')
    assert group.count() == 2
    page.select_option("#id_outcome", f"rep:{fields['hours'].pk}")
    page.click("#evaluation-form button[type=submit]")
    page.wait_for_selector("#estimates-table")
    assert "信息化课时" in page.inner_text("#outcome-label")
    assert "平均值" in page.inner_text("#outcome-rule")
    page.wait_for_selector("#event-study-chart svg path", state="attached")

    login(phone_page, live_server, world.office.username)
    phone_page.goto(f"{live_server.url}/evaluation/programmes/{world.programme.pk}/")
    phone_page.wait_for_selector("#event-study-chart svg path", state="attached")
    screenshot(phone_page, "evaluation-page-phone")
    assert not has_horizontal_scroll(phone_page)
