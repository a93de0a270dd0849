"""What a person sees: login per role, the language switch, a phone without horizontal scroll."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_coordinator_sees_only_their_school(page, live_server, coordinator):
    login(page, live_server, "coord")
    assert page.url.rstrip("/") == live_server.url
    body = page.inner_text("main")
    assert "甲县第一小学" in body
    assert "乙县" not in body
    screenshot(page, "home-coordinator")


@pytest.mark.django_db(transaction=True)
def test_office_sees_its_county(page, live_server, office_user):
    login(page, live_server, "office")
    body = page.inner_text("main")
    assert "甲县" in body
    assert "2" in page.inner_text(".stat-number")
    screenshot(page, "home-office")


@pytest.mark.django_db(transaction=True)
def test_language_switch_to_english_and_back(page, live_server, office_user):
    login(page, live_server, "office")
    page.click("button.lang-btn[value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Log out" in page.inner_text("header")
    screenshot(page, "home-office-en")
    page.click("button.lang-btn[value=zh-hans]")
    page.wait_for_load_state("networkidle")
    assert "退出" in page.inner_text("header")


@pytest.mark.django_db(transaction=True)
def test_phone_has_no_horizontal_scroll(phone_page, live_server, office_user):
    phone_page.goto(f"{live_server.url}/accounts/login/")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "login-phone")
    login(phone_page, live_server, "office")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "home-office-phone")


@pytest.mark.django_db(transaction=True)
def test_pages_run_no_inline_script_under_the_csp(page, live_server, office_user):
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    login(page, live_server, "office")
    header = page.context.request.get(live_server.url + "/").headers
    assert "script-src 'self'" in header.get("content-security-policy", "")
    assert not violations, violations


@pytest.mark.django_db(transaction=True)
def test_phone_menu_opens_with_its_button(phone_page, live_server, office_user):
    login(phone_page, live_server, "office")
    toggle = phone_page.locator("button.nav-toggle")
    assert toggle.is_visible()
    assert not phone_page.locator("#mainnav").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert phone_page.locator("#mainnav a", has_text="组织机构").is_visible()
    screenshot(phone_page, "menu-open-phone")
    assert not has_horizontal_scroll(phone_page)
