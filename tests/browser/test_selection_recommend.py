"""The recommendation step in the browser: the office sets the zones' quotas, a zone account
logs in and recommends two of its schools with reasons, and the office sees who recommended
whom; both pages read on a 375-px phone without sideways scrolling."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.selection.factories import world

pytestmark = pytest.mark.django_db(transaction=True)


def login_as(page, live_server, username: str) -> None:
    page.context.clear_cookies()  # the login page sends a signed-in person away
    login(page, live_server, username)


def test_office_sets_quotas_and_a_zone_recommends(
    page, phone_page, live_server, tree, office_user, zone_user
):
    from shidian.apps.selection.models import Recommendation, ZoneQuota
    from shidian.apps.selection.services.recommend import zone_candidates

    w = world(tree, office=office_user, recommend=True)
    url = f"{live_server.url}/selections/{w.selection.pk}/recommend/"

    login(page, live_server, "office")
    page.goto(url)
    page.fill(f"#id_zone-{w.zones[0].pk}", "2")
    page.fill(f"#id_zone-{w.zones[1].pk}", "1")
    page.click("#save-quotas")
    page.wait_for_selector(".message-success")
    assert dict(ZoneQuota.objects.values_list("zone__code", "quota")) == {"A1": 2, "A2": 1}
    screenshot(page, "selection-recommend-quotas")

    login_as(page, live_server, "zone")
    page.goto(f"{live_server.url}/")
    assert w.selection.name in page.inner_text("#todos")
    page.goto(url)
    page.wait_for_selector("#candidate-table")
    ids = [int(u) for u in zone_candidates(w.selection, w.zones[0])["unit_id"]][:3]
    # Three ticked against a quota of two: refused, nothing saved, the reasons kept.
    for unit_id in ids:
        page.check(f"#pick-{unit_id}")
        page.fill(f"[name=reason-{unit_id}]", f"信息化基础扎实，校长重视（{unit_id}）")
    page.click("#submit-recommend")
    assert "最多还能推荐 2 所" in page.inner_text("#recommend-errors")
    assert not Recommendation.objects.exists()
    page.uncheck(f"#pick-{ids[2]}")
    page.click("#submit-recommend")
    page.wait_for_selector(".message-success")
    assert set(Recommendation.objects.values_list("unit_id", flat=True)) == set(ids[:2])
    assert page.inner_text("#zone-left") == "0"
    screenshot(page, "selection-recommend-zone")

    login(phone_page, live_server, "zone")
    phone_page.goto(url)
    phone_page.wait_for_selector("#candidate-table")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "selection-recommend-zone-phone")

    login_as(page, live_server, "office")
    page.goto(url)
    table = page.inner_text("#recommendation-table")
    assert "信息化基础扎实" in table and "甲县东片区" in table
    quota_row = page.inner_text(f"#quota-{w.zones[0].code}")
    assert "2" in quota_row
    screenshot(page, "selection-recommend-office")

    login_as(phone_page, live_server, "office")
    phone_page.goto(url)
    phone_page.wait_for_selector("#recommendation-table")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "selection-recommend-office-phone")
