"""The office reconciles the panel's scores, sees the flagged school, opens a discussion round;
an expert gives a second score with a note; the office re-runs and adopts. Desktop and phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.selection.test_reconcile import panel

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_reconciles_expert_discusses_office_adopts(
    page, phone_page, live_server, tree, office_user
):
    from shidian.apps.selection.models import DiscussionScore, Selection

    w, units, experts = panel(tree, office_user)
    base = f"{live_server.url}/selections/{w.selection.pk}/reconcile/"
    login(page, live_server, "office")
    page.goto(base)
    page.check("input[name=method][value=trimmed]")
    page.fill("#id_trim", "0.34")
    page.fill("#id_max_range", "10")
    page.fill("#id_self_weight", "0.3")
    page.click("#reconcile-form button[type=submit]")
    page.wait_for_selector("#reconcile-ranking")
    assert "最终得分 = 30% 自评 + 70% 专家" in page.inner_text("#reconcile-weights")
    assert "ICC(2,1)" in page.inner_text("#reconcile-result")
    flagged = page.locator("#reconcile-ranking tr.flagged")
    assert flagged.count() == 1 and units[2].code in flagged.inner_text()
    screenshot(page, "selection-reconcile")
    page.click("#reconcile-open-all")
    page.wait_for_selector("#reconcile-ranking")
    assert "合议中" in flagged.inner_text()

    # The second expert sees the others' scores (they reviewed) and gives a second score.
    login(phone_page, live_server, experts[1].username)
    phone_page.goto(f"{base}discuss/")
    card = phone_page.locator(f"#discuss-{units[2].code}")
    assert "专家1" in card.inner_text() and "专家3" in card.inner_text()
    card.locator("input[name=score]").fill("68")
    card.locator("textarea[name=note]").fill("看过佐证材料，下调")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "selection-reconcile-discuss-phone")
    card.locator("button[type=submit]").click()
    phone_page.wait_for_selector(".message-success, .messages")
    assert DiscussionScore.objects.get().score == 68  # scoping: ok test

    # The office re-runs with the discussion score, sees it and adopts.
    page.goto(base)
    page.click("#reconcile-form button[type=submit]")
    page.wait_for_selector("#reconcile-ranking")
    assert "看过佐证材料" in page.inner_text("#reconcile-scores")
    assert page.locator("#reconcile-ranking tr.flagged").count() == 0
    page.click("#reconcile-adopt")
    page.wait_for_selector("#reconcile-result .badge-ok")
    selection = Selection.objects.get(pk=w.selection.pk)  # scoping: ok test
    assert selection.reconciliation.number == 2
    screenshot(page, "selection-reconcile-adopted")

    phone_page.context.clear_cookies()
    login(phone_page, live_server, "office")
    phone_page.goto(base)
    phone_page.wait_for_selector("#reconcile-ranking")
    screenshot(phone_page, "selection-reconcile-phone")
    assert not has_horizontal_scroll(phone_page)
