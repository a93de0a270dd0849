"""The county's afternoon, end to end: the office creates a 2021-2023 programme with cycles
5/5/4, its self-assessment campaign opens in the preparation phase, the office bulk-creates the
zone's school accounts, and a school logs in with its activation code and sees its task."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shidian.apps.campaigns.services import campaign_create
from shidian.apps.programmes.models import Programme
from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.standards.factories import published_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Qingshan-River-2026"
CAMPAIGN = "2021年智慧校园创建自查赋分"


def test_programme_accounts_and_the_schools_first_task(
    browser, page, phone_page, live_server, tree, office_user
):
    # 1. The programme, through the form.
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/programmes/new/")
    page.fill("#id_name", "2021—2023年中小学智慧校园创建")
    page.fill("#id_start_year", "2021")
    page.fill("#id_end_year", "2023")
    for i, (year, target) in enumerate([("2021", "5"), ("2022", "5"), ("2023", "4")]):
        page.fill(f"#id_cycles-{i}-year", year)
        page.fill(f"#id_cycles-{i}-target", target)
    page.click("#save-programme")
    page.wait_for_selector("#status-counts")
    programme = Programme.objects.get()
    assert [c.target for c in programme.cycles.order_by("number")] == [5, 5, 4]

    # 2. Its self-assessment campaign opens in the preparation phase (the campaign form is
    #    walked in test_campaign_flow.py).
    preparation = programme.phases.order_by("starts_on").first()
    campaign_create(
        unit=tree.county,
        user=office_user,
        name=CAMPAIGN,
        version=published_version(tree.county),
        opens_on=timezone.localdate(),
        deadline=timezone.now() + timedelta(days=14),
        phase=preparation,
    )
    page.reload()
    assert CAMPAIGN in page.inner_text("main")

    # 3. School accounts in bulk for the zone, codes in the XLSX.
    page.goto(f"{live_server.url}/accounts/bulk/")
    page.fill("#id_root", "")
    page.type("#id_root", "东片区")
    page.wait_for_selector(f'[role=option][data-code="{tree.zone.code}"]')
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    with page.expect_download() as info:
        page.click("#bulk-form button[type=submit]")
    with open(info.value.path(), "rb") as handle:
        rows = list(load_workbook(io.BytesIO(handle.read())).worksheets[0].values)
    username, code = next((r[3], r[4]) for r in rows[1:] if r[0] == tree.school.code)
    page.click("button.link-btn")  # log out
    page.wait_for_load_state("networkidle")

    # 4. The school's first login, on a phone: the code, a password, then its task.
    phone_page.goto(f"{live_server.url}/accounts/login/")
    phone_page.click("#activate-link")
    phone_page.fill("#id_username", username)
    phone_page.fill("#id_code", code)
    phone_page.click("#activate-form button[type=submit]")
    phone_page.wait_for_load_state("networkidle")
    phone_page.fill("#id_full_name", "张老师")
    phone_page.fill("#id_password1", PASSWORD)
    phone_page.fill("#id_password2", PASSWORD)
    phone_page.click("#activate-password-form button[type=submit]")
    phone_page.wait_for_selector("#todos")
    todos = phone_page.inner_text("#todos")
    assert CAMPAIGN in todos and "填写并提交自查表" in todos
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "school-first-task-phone")
    phone_page.click("#todos a.todo-title")
    phone_page.wait_for_load_state("networkidle")
    assert "/campaigns/sheets/" in phone_page.url
    assert "甲县第一小学" in phone_page.inner_text("main")
