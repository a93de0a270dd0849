"""Office staff import a units file with errors and read the row-level reasons; the unit list
fits a 375-px phone without horizontal scroll."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.orgs.files import NEW_ZONE_ROWS, csv_bytes, xlsx

BAD_ROWS = [
    ["A3", "甲县南片区", "A", "片区", "", "", "", ""],
    ["A3-1", "甲县南山小学", "A3", "学校", "小学", "乡村", "A3", "很多"],
    ["A3-2", "", "A3", "学校", "教学点", "乡村", "A3", "12"],
    ["A3-3", "甲县外援小学", "B", "学校", "小学", "乡村", "", "40"],
    ["A3-4", "甲县循环甲", "A3-5", "片区", "", "", "", ""],
    ["A3-5", "甲县循环乙", "A3-4", "片区", "", "", "", ""],
]


@pytest.mark.django_db(transaction=True)
def test_import_with_errors_shows_row_messages(page, live_server, office_user, tmp_path):
    from shidian.apps.orgs.models import OrgUnit

    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes(BAD_ROWS, encoding="gbk"))
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/units/import/")
    screenshot(page, "orgs-import-upload")
    page.set_input_files("input[type=file]", str(path))
    page.click("#import-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    table = page.inner_text(".import-table")
    assert "学生数“很多”不是有效的数字。" in table
    assert "名称为空。" in table
    assert "上级单位 B 不在您的权限范围内。" in table
    assert "上下级形成循环：A3-4 → A3-5 → A3-4。" in table
    assert page.locator("#confirm-import").count() == 0
    assert "5" in page.inner_text(".count-error")
    screenshot(page, "orgs-import-errors")
    assert not OrgUnit.objects.filter(code__startswith="A3").exists()


@pytest.mark.django_db(transaction=True)
def test_import_preview_then_confirm(page, live_server, office_user, tmp_path):
    from shidian.apps.orgs.models import OrgUnit

    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx(NEW_ZONE_ROWS))
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/units/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("#import-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    screenshot(page, "orgs-import-preview")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#confirm-import")
    page.wait_for_load_state("networkidle")
    assert "导入完成" in page.inner_text("main")
    assert OrgUnit.objects.filter(code__in=["A2", "A2-1", "A2-2"]).count() == 3


@pytest.mark.django_db(transaction=True)
def test_unit_list_on_a_phone(phone_page, live_server, office_user):
    login(phone_page, live_server, "office")
    phone_page.goto(f"{live_server.url}/units/")
    assert "甲县第一小学" in phone_page.inner_text("#results")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "orgs-list-phone")
    phone_page.fill("input[type=search]", "第二")
    phone_page.wait_for_function(
        "() => !document.querySelector('#results').innerText.includes('甲县第一小学')"
    )
    assert "甲县第二初中" in phone_page.inner_text("#results")
    assert "q=" in phone_page.url  # HTMX pushed the filter into the address bar
    phone_page.click("text=甲县第二初中")
    phone_page.wait_for_load_state("networkidle")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "orgs-detail-phone")


@pytest.mark.django_db(transaction=True)
def test_import_review_on_a_phone_in_english(phone_page, live_server, office_user, tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx(BAD_ROWS, extra_sheets=[("说明", [["备注"]])]))
    login(phone_page, live_server, "office")
    phone_page.click("button.lang-btn[value=en]")
    phone_page.wait_for_load_state("networkidle")
    phone_page.goto(f"{live_server.url}/units/import/")
    phone_page.set_input_files("input[type=file]", str(path))
    phone_page.click("#import-form button[type=submit]")
    phone_page.wait_for_load_state("networkidle")
    table = phone_page.inner_text(".import-table")
    assert "The parents form a cycle: A3-4 → A3-5 → A3-4." in table
    assert "Sheets ignored: 说明" in phone_page.inner_text("main")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "orgs-import-errors-phone-en")
