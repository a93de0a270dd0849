"""A semester planned with rotating hosts: the office opens the spring semester on the activities
dashboard; the lead school, from its community's page, plans three activities; the host
pre-selected for each is a different member, none of them the school that hosted last autumn
(nobody hosts twice before everyone has hosted once); saved, the community calendar lists them
with those hosts.

The world (two communities, last autumn's activity) is seeded through services."""

from __future__ import annotations

import pytest

from tests.activities.world import activity_world
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
SPRING = "2027年春季学期"
ITEMS = [
    ("信息技术与学科融合研讨", "seminar", "2027-03-18"),
    ("智慧课堂同课异构", "same_topic", "2027-04-22"),
    ("年度成果展示", "showcase", "2027-06-10"),
]


def test_semester_planned_with_rotating_hosts(page, live_server, tree):
    from shidian.apps.activities.models import Activity, Semester
    from shidian.apps.activities.services import current_members

    world, autumn, last = activity_world(tree)  # autumn: one activity, hosted by the rotation
    community = world.first
    members = {u.pk: u for u in current_members(community)}
    assert len(members) == 4 and last.host_unit_id in members

    # 1. The office opens the spring semester on its dashboard.
    login(page, live_server, world.office.username)
    page.goto(f"{live_server.url}/activities/dashboard/")
    form = page.locator("form.act-semester")
    form.locator("input[name=name]").fill(SPRING)
    form.locator("input[name=starts_on]").fill("2027-02-20")
    form.locator("input[name=ends_on]").fill("2027-07-10")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "学期已创建" in page.inner_text("body")
    assert f"{SPRING}（2027年2月20日—2027年7月10日）" in page.inner_text("main")
    spring = Semester.objects.get(name=SPRING)  # scoping: ok test

    # 2. The lead school goes from its community's page to the spring plan.
    page.context.clear_cookies()
    login(page, live_server, world.lead_user.username)
    page.goto(f"{live_server.url}/communities/{community.pk}/")
    page.click(f"a[href='/activities/community/{community.pk}/']")
    links = page.locator(".act-plan-links")
    assert links.count() == 1, "the lead school steers its community: it gets the plan links"
    assert SPRING in links.inner_text(), links.inner_text()  # both semesters, from the office
    page.click(f".act-plan-links a:has-text('{SPRING}')")
    page.wait_for_url(f"**/community/{community.pk}/semester/{spring.pk}/plan/")

    # The rotation's pre-selection: three different members, not last autumn's host.
    chosen = [int(page.locator(f"select[name=host_{i}]").input_value()) for i in range(len(ITEMS))]
    assert len(set(chosen)) == 3, chosen
    assert set(chosen) <= set(members) and last.host_unit_id not in chosen, (chosen, last)
    options = page.locator("select[name=host_0] option").all_inner_texts()
    assert sorted(options) == sorted(u.name for u in members.values())
    screenshot(page, "communities-semester-plan")

    for i, (theme, kind, day) in enumerate(ITEMS):
        page.fill(f"input[name=theme_{i}]", theme)
        page.select_option(f"select[name=kind_{i}]", kind)
        page.fill(f"input[name=on_{i}]", day)
    page.click("form.act-plan-form button[type=submit]")
    page.wait_for_url(f"**/activities/community/{community.pk}/")
    assert "本学期活动已安排" in page.inner_text("body")

    # 3. The community calendar lists the three, each with its pre-selected host.
    planned = Activity.objects.filter(community=community, semester=spring)  # scoping: ok test
    planned = list(planned.order_by("planned_on"))
    assert [a.host_unit_id for a in planned] == chosen
    for (theme, _kind, day), host in zip(ITEMS, chosen, strict=True):
        item = page.locator(".act-item", has_text=theme)
        assert item.count() == 1, theme
        text = item.inner_text()
        assert day[5:] in text and f"承办 {members[host].name}" in text, text
    months = page.locator("h3").all_inner_texts()
    assert {"2027-03", "2027-04", "2027-06"} <= set(months), months
    screenshot(page, "communities-semester-calendar")

    # The office's dashboard counts four planned activities for this community (autumn + 3).
    page.context.clear_cookies()
    login(page, live_server, world.office.username)
    page.goto(f"{live_server.url}/activities/dashboard/")
    row = page.locator(".act-table tr", has_text=community.name).locator("td").all_inner_texts()
    assert row[1] == "甲县" and row[2] == "4", row  # community, owner office, planned
