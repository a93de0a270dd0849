"""Expert review in a browser: the office adds four experts to the panel (three picked from the
province's experts, one by username), assigns two experts per shortlisted school (a Run), and
moves one pair by hand. Desktop and phone screenshots."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.selection.factories import expert, world
from tests.selection.test_review import org, shortlist


def _setup(tree, office_user):
    w = world(tree, office=office_user)
    shortlist(w, office_user, 6)
    expert(tree, "exp1", tree.other_county, full_name="赵专家")
    expert(tree, "exp2", org("X2", tree.city, "丙县"), full_name="钱专家")
    expert(tree, "exp3", org("X3", tree.city, "丁县"), full_name="孙专家")
    expert(tree, "exp4", org("X4", tree.city, "戊县"), full_name="李专家")
    return w


@pytest.mark.django_db(transaction=True)
def test_office_builds_panel_assigns_and_moves(page, live_server, tree, office_user):
    from shidian.apps.selection.models import ExpertAssignment

    w = _setup(tree, office_user)
    login(page, live_server, "office")
    url = f"{live_server.url}/selections/{w.selection.pk}/review/"
    page.goto(url)
    assert page.locator("#panel-empty").count() == 1
    for username, field in (("exp1", "数学"), ("exp2", "语文"), ("exp3", "信息技术")):
        select = page.locator("#id_user")
        value = select.locator("option", has_text=f"（{username}）").get_attribute("value")
        select.select_option(value)
        page.fill("#id_expertise", field)
        page.click("#panel-add-form button[type=submit]")
        page.wait_for_selector(f"#panel-table tr[data-expert={username}]")
    page.fill("#id_username", "exp4")
    page.fill("#id_expertise", "英语")
    page.click("#panel-add-form button[type=submit]")
    page.wait_for_selector("#panel-table tr[data-expert=exp4]")
    assert "测试市 / 丙县" in page.inner_text("#panel-table")
    # r = 5 is more than the panel: the page says what to change, nothing is stored.
    page.fill("#id_per_unit", "5")
    page.click("#assign-form button[type=submit]")
    page.wait_for_selector("#review-errors")
    assert "再添加 1 位专家" in page.inner_text("#review-errors")
    assert ExpertAssignment.objects.count() == 0  # scoping: ok test
    page.fill("#id_per_unit", "2")
    page.click("#assign-form button[type=submit]")
    page.wait_for_selector("#units-table")
    assert ExpertAssignment.objects.count() == 12  # scoping: ok test
    assert "已分配 12 项" in page.inner_text("#review-assign")
    # Move the first pair to an expert offered in its list.
    form = page.locator("#units-table .move-form").first
    option = form.locator("select option").nth(1)
    target = option.inner_text().split("（")[0]
    form.locator("select").select_option(option.get_attribute("value"))
    form.locator("button").click()
    page.wait_for_selector(".message-success")
    assert target in page.inner_text(".messages")
    assert page.locator("#units-table .badge", has_text="人工调整").count() == 1
    assert ExpertAssignment.objects.filter(by_hand=True).count() == 1  # scoping: ok test
    screenshot(page, "selection-review-desktop")


@pytest.mark.django_db(transaction=True)
def test_review_page_on_a_phone(phone_page, live_server, tree, office_user):
    from shidian.apps.selection.models import PanelMember
    from shidian.apps.selection.services.review import assign, panel_add

    w = _setup(tree, office_user)
    for member in ("exp1", "exp2", "exp3", "exp4"):
        from shidian.apps.accounts.models import User

        panel_add(by=office_user, selection=w.selection, user=User.objects.get(username=member))
    assert PanelMember.objects.count() == 4  # scoping: ok test
    assign(by=office_user, selection=w.selection, per_unit=2)
    login(phone_page, live_server, "office")
    phone_page.goto(f"{live_server.url}/selections/{w.selection.pk}/review/")
    phone_page.wait_for_selector("#experts-table")
    screenshot(phone_page, "selection-review-phone")
    assert not has_horizontal_scroll(phone_page)
