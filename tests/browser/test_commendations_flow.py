"""The office nominates a passed unit and a person, submits; the leading group approves and
the page links the generated commendation notice. Checked on a phone too."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.commendations.factories import commendation, leader

pytestmark = pytest.mark.django_db(transaction=True)


def test_nominate_and_approve(page, phone_page, live_server, tree):
    c = commendation(tree)
    leader(tree)
    base = f"{live_server.url}/commendations/{c.pk}/"
    login(page, live_server, "tw-office")
    page.goto(base)
    form = page.locator("#nomination-form")
    form.locator("select[name=category]").select_option("unit")
    form.locator("input[name=unit]").fill("A1-1")
    form.locator("textarea[name=reason]").fill("创建成效突出")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    form = page.locator("#nomination-form")
    form.locator("select[name=category]").select_option("person")
    form.locator("input[name=unit]").fill("A1-2")
    form.locator("input[name=name]").fill("王校长")
    form.locator("input[name=role]").fill("校长")
    form.locator("textarea[name=reason]").fill("领导有力")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "王校长" in page.locator("#cat-person + .table-wrap").inner_text()
    screenshot(page, "commendations-list-desktop")

    login(phone_page, live_server, "tw-office")
    phone_page.goto(base)
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "commendations-list-phone")

    page.click("#submit")
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    login(page, live_server, "cm-leader")
    page.goto(base)
    page.click("#approve")
    page.wait_for_load_state("networkidle")
    assert page.locator("#notice-link").is_visible()
    screenshot(page, "commendations-approved-desktop")
