"""Office bulk-creates school accounts, hands out the codes; a school logs in with its code."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import PHONE, has_horizontal_scroll, login, screenshot

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Qingshan-River-2026"


@pytest.mark.django_db(transaction=True)
def test_bulk_accounts_then_first_login_with_a_code(browser, page, live_server, office_user, tree):
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/accounts/bulk/")
    # Pick the zone with the keyboard: type, arrow down to the hit, Enter.
    page.fill("#id_root", "")
    page.type("#id_root", "东片区")
    page.wait_for_selector(f'[role=option][data-code="{tree.zone.code}"]')
    screenshot(page, "unit-picker-open")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#id_root") == tree.zone.code
    assert "甲县东片区" in page.inner_text("[data-picker-chosen]")
    screenshot(page, "accounts-bulk-form")
    with page.expect_download() as info:
        page.click("#bulk-form button[type=submit]")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:
        rows = list(load_workbook(io.BytesIO(handle.read())).worksheets[0].values)
    assert rows[0][:5] == ("单位代码", "单位名称", "片区", "用户名", "激活码")
    school_row = next(r for r in rows[1:] if r[0] == tree.school.code)
    username, code = school_row[3], school_row[4]
    assert len(rows) == 3  # the zone's two schools

    page.goto(f"{live_server.url}/accounts/batches/")
    assert "甲县东片区" in page.inner_text("main")
    screenshot(page, "accounts-batches")
    page.click("button.link-btn")  # log out
    page.wait_for_load_state("networkidle")

    page.goto(f"{live_server.url}/accounts/login/")
    page.click("#activate-link")
    page.fill("#id_username", username)
    page.fill("#id_code", code.lower())  # typed loosely: case does not matter
    screenshot(page, "accounts-activate")
    page.click("#activate-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/activate/password/" in page.url
    page.fill("#id_full_name", "张老师")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.click("#activate-password-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/") == live_server.url
    assert "甲县第一小学" in page.inner_text("main")
    assert "张老师" in page.inner_text("header")
    screenshot(page, "home-activated-coordinator")


@pytest.mark.django_db(transaction=True)
def test_activation_pages_fit_a_phone(browser, live_server, tree):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    phone = context.new_page()
    phone.goto(f"{live_server.url}/accounts/login/")
    assert phone.is_visible("#activate-link")
    phone.click("#activate-link")
    assert not has_horizontal_scroll(phone)
    screenshot(phone, "accounts-activate-phone")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_unit_picker_on_a_phone(phone_page, live_server, office_user, tree):
    login(phone_page, live_server, "office")
    phone_page.goto(f"{live_server.url}/accounts/invite/")
    phone_page.fill("#id_unit", "")
    phone_page.type("#id_unit", "小学")
    phone_page.wait_for_selector(f'[role=option][data-code="{tree.school.code}"]')
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "unit-picker-phone")
    phone_page.keyboard.press("Escape")
    assert phone_page.is_hidden("[data-picker-results]")
