"""The office creates a 2021-2023 programme with cycles 5/5/4 through the form and sees its
cockpit; the cockpit reads on a 375-px phone without sideways scrolling."""

from __future__ import annotations

import pytest

from shidian.apps.programmes.models import Programme
from tests.browser.conftest import has_horizontal_scroll, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_creates_a_programme_and_sees_its_cockpit(
    page, phone_page, live_server, tree, office_user
):
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/programmes/")
    page.click("#create-programme")
    page.fill("#id_name", "2021—2023年中小学智慧校园创建")
    page.fill("#id_start_year", "2021")
    page.fill("#id_end_year", "2023")
    # The three default phases are offered by name; their dates follow from the years.
    for i, (year, target) in enumerate([("2021", "5"), ("2022", "5"), ("2023", "4")]):
        page.fill(f"#id_cycles-{i}-year", year)
        page.fill(f"#id_cycles-{i}-target", target)
    page.click("#save-programme")
    page.wait_for_selector("#status-counts")
    programme = Programme.objects.get()
    assert [c.target for c in programme.cycles.order_by("number")] == [5, 5, 4]
    text = page.inner_text("main")
    assert "准备阶段" in text and "总结推广" in text
    assert "第1批（2021年）" in text and "第3批（2023年）" in text
    screenshot(page, "programme-cockpit")

    # A phase overlapping the next one is refused with a message, nothing saved.
    page.click("#step-edit")
    page.fill("#id_phases-0-ends_on", "2022-12-31")
    page.click("#save-programme")
    assert "不能重叠" in page.inner_text(".form-errors")

    login(phone_page, live_server, "office")
    phone_page.goto(f"{live_server.url}/programmes/{programme.pk}/")
    phone_page.wait_for_selector("#timeline")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "programme-cockpit-phone")
    phone_page.goto(f"{live_server.url}/programmes/new/")
    phone_page.wait_for_selector("#phase-rows")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "programme-form-phone")
