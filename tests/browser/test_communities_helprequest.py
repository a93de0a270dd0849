"""A member school's help request, answered by an expert and closed: the school files it from
its community's page; the lead school routes it to an expert (from its notification); the
expert logs in, sees that request alone (not the community's other request, routed to a
colleague, nor the community's page) and answers; the school confirms; the request shows closed.
The lead's and the expert's home pages should list the request as a to-do (docs/helprequests.md):
checked along the way and asserted at the end, so that the rest of the flow still runs.

The world (two communities, two expert accounts, another school's request) is seeded through
services; the flow itself goes through the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import login, screenshot
from tests.community_world import community_world
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)
TITLE = "录播教室设备无法接入区域平台"
ANSWER = "请将录播主机固件升级到 3.2 版，并在平台登记设备序列号。"


def _home_link(page, live_server, request_id: int) -> None:
    page.goto(f"{live_server.url}/")
    page.click(f"a[href='/help/{request_id}/']")
    page.wait_for_url(f"**/help/{request_id}/")


def _home_has_todo(page, live_server, request_id: int) -> bool:
    page.goto(f"{live_server.url}/")
    return page.locator(f"main a[href='/help/{request_id}/']").count() > 0


def _from_bell(page, live_server, request_id: int, message: str) -> None:
    """Open the request from the notification the service sent (bell -> centre -> link)."""
    page.goto(f"{live_server.url}/")
    page.click("#notification-bell")
    page.locator(".notification-subject", has_text=message).first.click()
    page.wait_for_url(f"**/help/{request_id}/")


def test_help_request_answered_and_closed(browser, page, live_server, tree):
    from shidian.apps.helprequests import services
    from shidian.apps.helprequests.models import HelpRequest

    world = community_world(tree)
    community = world.first
    colleague = make_user("cw-expert2", tree.county, "expert", full_name="李专家")
    other = services.request_create(
        by=world.coordinators["A1-3"],
        community=community,
        title="课程资源库账号过期",
        description="教师无法登录资源库。",
    )
    services.request_route(by=world.office, request=other, expert=colleague)
    school = world.schools["A1-2"]
    member = world.coordinators["A1-2"]

    # 1. The member school files the request from its community's page.
    login(page, live_server, member.username)
    page.goto(f"{live_server.url}/communities/{community.pk}/")
    page.click(f".hr-panel a[href='/help/community/{community.pk}/new/']")
    page.fill("input[name=title]", TITLE)
    page.fill("input[name=category]", "信息化教学")
    page.fill("textarea[name=description]", "新装录播教室无法推流，区域平台显示设备离线。")
    page.click("form.hr-form button[type=submit]")
    page.wait_for_url("**/help/*/")
    req = HelpRequest.objects.get(title=TITLE)  # scoping: ok test
    assert req.unit_id == school.pk and req.status == "open"
    assert "待分派" in page.inner_text(".hr-status")
    assert page.locator("form input[name=act][value=route]").count() == 0  # not the school's

    # 2. The lead school routes it to an expert, from the notification it got. (Its home page
    # should list the routing as a to-do too: checked here, asserted at the end.)
    page.context.clear_cookies()
    login(page, live_server, world.lead_user.username)
    gaps = []
    if not _home_has_todo(page, live_server, req.pk):
        gaps.append("the lead school's home page has no to-do to route the request")
    _from_bell(page, live_server, req.pk, "新的援助申请待分派")
    route = page.locator("form:has(input[name=act][value=route])")
    names = route.locator("select[name=expert] option").all_inner_texts()
    assert {"王专家", "李专家"} <= set(names), names
    route.locator("select[name=expert]").select_option(str(world.expert.pk))
    due = timezone.localdate() + dt.timedelta(days=10)
    route.locator("input[name=due_on]").fill(due.isoformat())
    with page.expect_navigation():
        route.locator("button[type=submit]").click()
    assert "已分派专家" in page.inner_text(".hr-status")
    assert "王专家" in page.inner_text("dl.attrs") and due.isoformat() in page.inner_text("dl")

    # 3. The expert logs in and sees only this request.
    expert_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    expert = expert_ctx.new_page()
    expert.set_default_timeout(15_000)
    login(expert, live_server, world.expert.username)
    expert.goto(f"{live_server.url}/help/mine/")
    listed = expert.locator(".hr-list li")
    assert listed.count() == 1 and TITLE in listed.inner_text(), listed.all_inner_texts()
    for url in (f"/help/{other.pk}/", f"/help/community/{community.pk}/"):
        response = expert.goto(f"{live_server.url}{url}")
        assert response.status == 404, url
    if not _home_has_todo(expert, live_server, req.pk):
        gaps.append("the expert's home page has no to-do to answer the request")
    _from_bell(expert, live_server, req.pk, "请答复援助申请")
    assert "新装录播教室无法推流" in expert.inner_text(".hr-description")
    answer = expert.locator("form:has(input[name=act][value=answer])")
    answer.locator("textarea[name=body]").fill(ANSWER)
    with expert.expect_navigation():
        answer.locator("button[type=submit]").click()
    assert "专家已答复" in expert.inner_text(".hr-status")
    assert expert.locator("form:has(input[name=act][value=answer])").count() == 0
    screenshot(expert, "communities-help-answered")
    expert_ctx.close()

    # 4. The school reads the answer and confirms: closed.
    page.context.clear_cookies()
    login(page, live_server, member.username)
    _home_link(page, live_server, req.pk)
    thread = page.inner_text(".hr-thread")
    assert ANSWER in thread and "王专家" in thread
    with page.expect_navigation():
        page.click("form:has(input[name=act][value=confirm]) button[type=submit]")
    assert "已确认关闭" in page.inner_text(".hr-status")
    assert page.locator("form:has(input[name=act][value=comment])").count() == 0
    req.refresh_from_db()
    assert req.status == "closed" and req.closed_at is not None
    other.refresh_from_db()
    assert other.status == "routed"  # the colleague's request is untouched
    page.goto(f"{live_server.url}/help/community/{community.pk}/")
    row = page.locator(".hr-list li", has_text=TITLE)
    assert "已确认关闭" in row.inner_text()
    assert page.locator(".hr-list li", has_text="课程资源库账号过期").count() == 0  # not its own
    screenshot(page, "communities-help-closed")
    assert not gaps, gaps
