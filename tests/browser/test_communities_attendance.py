"""A member school records attendance on a phone (375x812, touch): it opens the activity, sets
the count with the ＋/− steps and taps 我校已参加; the page shows its row; a second tap updates
that row instead of adding one, and the activity (its day past) counts as held.

The world (a community and its autumn activity) is seeded through services."""

from __future__ import annotations

import pytest

from tests.activities.world import activity_world
from tests.browser.conftest import has_horizontal_scroll, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE_812 = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE_812, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=3
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _tap_steps(page, sign: str, times: int) -> None:
    button = page.locator(f".act-step[data-step='{sign}1']")
    for _ in range(times):
        button.tap()


def test_member_records_attendance_on_a_phone(phone, live_server, tree):
    from shidian.apps.activities.models import Attendance

    world, _semester, activity = activity_world(tree)
    member = world.schools["A1-3"]  # a member school, not the lead and not the host
    if activity.host_unit_id == member.pk:
        member = world.schools["A1-4"]
    login(phone, live_server, world.coordinators[member.code].username)
    phone.goto(f"{live_server.url}/activities/")
    phone.tap(f"a[href='/activities/{activity.pk}/']")
    phone.wait_for_selector("form.act-attend")
    assert not has_horizontal_scroll(phone)
    big = phone.locator("form.act-attend button.act-big")
    assert big.inner_text().strip() == "我校已参加"
    box = big.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 200, box  # a thumb-sized button
    assert "尚无学校登记参加" in phone.inner_text("main")

    # 1. The first tap: the count typed, then stepped up twice and down once (12 + 2 - 1).
    count = phone.locator("form.act-attend input.act-count")
    count.fill("12")
    _tap_steps(phone, "", 2)
    _tap_steps(phone, "-", 1)
    assert count.input_value() == "13"
    with phone.expect_navigation():
        big.tap()
    assert "已登记本校参加" in phone.inner_text("body")
    row = phone.locator(".act-attendance tbody tr", has_text=member.name)
    assert row.locator("td").all_inner_texts()[:2] == [member.name, "13"]
    assert big.inner_text().strip() == "更新：我校已参加"
    assert count.input_value() == "13"  # the form shows what is recorded
    assert "已举办" in phone.inner_text(".act-meta")  # its day is past: the first record holds it
    assert not has_horizontal_scroll(phone)
    screenshot(phone, "communities-attendance-phone")

    # 2. A second tap updates the same row.
    _tap_steps(phone, "-", 3)
    assert count.input_value() == "10"
    with phone.expect_navigation():
        big.tap()
    rows = phone.locator(".act-attendance tbody tr", has_text=member.name)
    assert rows.count() == 1 and rows.locator("td").all_inner_texts()[:2] == [member.name, "10"]
    assert Attendance.objects.filter(activity=activity).count() == 1  # scoping: ok test
    row = Attendance.objects.get(activity=activity, unit=member)  # scoping: ok test
    assert row.attendees == 10
    activity.refresh_from_db()
    assert activity.status == "held"
