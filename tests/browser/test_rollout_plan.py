"""The office picks the next batch's schools, pairs them with the passed pilots (the engine, as
a run whose card shows the refusal or the result), moves one by hand, submits; the leading
group approves and the schools become pilots of the next cycle. The page is checked on a phone
too (no horizontal scroll)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.rollout.factories import leader, plan, unit

pytestmark = pytest.mark.django_db(transaction=True)


def test_pair_and_approve(page, phone_page, live_server, tree):
    from shidian.apps.programmes.models import Participation

    p = plan(tree)
    leader(tree)
    base = f"{live_server.url}/rollout/{p.pk}/"
    login(page, live_server, "tw-office")
    page.goto(base)
    for code in ("A1-7", "A1-8", "A1-9", "A1-10"):
        page.check(f"#pick-{unit(code).pk}")
    page.click("#pick")
    page.wait_for_load_state("networkidle")
    assert page.locator("#pair-table tbody tr").count() == 4

    # pairing is a run: its card on the plan page tells the refusal, the plan unchanged
    page.fill("#pair-form input[name=max_load]", "1")
    page.click("#pair")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("#pairing .run-card[data-run-status=failed]")
    assert "超过了带动容量" in page.locator("#pairing .run-error").inner_text()
    assert "未安排" in page.locator("#pair-table").inner_text()

    page.fill("#pair-form input[name=max_load]", "2")
    page.click("#pair")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("#pairing .run-card[data-run-status=succeeded]")
    assert "已为 4 所学校安排带动试点" in page.locator("#pairing .run-result").inner_text()
    assert page.locator("#pair-table").inner_text().count("甲县第一小学") == 2
    screenshot(page, "rollout-paired-desktop")

    school = p.schools.get(unit__code="A1-10")
    page.select_option("#lead-form select[name=school]", str(school.pk))
    page.select_option("#lead-form select[name=lead]", str(unit("A1-3").pk))
    page.click("#move")
    page.wait_for_load_state("networkidle")
    assert "超出距离上限" in page.locator("#pair-table").inner_text()

    login(phone_page, live_server, "tw-office")
    phone_page.goto(base)
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "rollout-paired-phone")

    page.click("#submit")
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    login(page, live_server, "cm-leader")
    page.goto(base)
    page.click("#approve")
    page.wait_for_load_state("networkidle")
    assert page.locator("#approved-cycle").is_visible()
    codes = ["A1-7", "A1-8", "A1-9", "A1-10"]
    rows = Participation.objects.filter(unit__code__in=codes)  # scoping: ok test
    assert {r.state for r in rows} == {"pilot"}
    screenshot(page, "rollout-approved-desktop")
