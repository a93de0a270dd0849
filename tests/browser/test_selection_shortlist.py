"""The shortlist in a browser: the office runs with quotas and sees the run's card, then the
result beside plain top-K; changes a quota, runs again and compares the two runs side by side;
adopts one. Desktop and phone screenshots."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.selection.factories import world


@pytest.fixture
def held_runs(monkeypatch):
    """Runs stay queued until the test runs them, as a busy worker would."""
    from shidian.apps.runs import services

    monkeypatch.setattr(services, "_dispatch", lambda run_id: None)


def _work():
    from shidian.apps.runs.executor import run_execute
    from shidian.apps.runs.models import Run

    for run in Run.objects.filter(status="queued"):  # scoping: ok test
        run_execute(run_id=run.pk)


@pytest.mark.django_db(transaction=True)
def test_office_runs_changes_a_quota_and_compares(
    page, phone_page, live_server, tree, office_user, held_runs
):
    w = world(tree, office=office_user)
    login(page, live_server, "office")
    url = f"{live_server.url}/selections/{w.selection.pk}/shortlist/"
    page.goto(url)
    page.fill("#id_count", "12")
    page.check("input[name=strata][value=school_type]")
    page.check("input[name=strata][value=locality]")
    page.check("#id_proportional")
    page.fill("#id_tolerance", "5")
    page.click("#quota-details summary")
    page.fill("#quota-zone input[name$='-0-min']", "3")
    page.fill("#id_exclude", "A1-03 已承担其他项目")
    screenshot(page, "selection-shortlist-form")
    page.click("#shortlist-run")
    page.wait_for_selector(".run-card[data-run-status=queued]")
    screenshot(page, "selection-shortlist-queued")
    _work()
    page.wait_for_selector("#shortlist-result[data-status=done]", timeout=15_000)
    assert page.locator("#selected-table tbody tr").count() == 12
    assert "代表性的代价" in page.inner_text("#shortlist-result")
    screenshot(page, "selection-shortlist-result")

    # Change a quota: start from run 1, raise the first zone's minimum.
    page.click("#run-row-1 a[href*='from=1']")
    page.click("#quota-details summary") if not page.is_visible("#quota-zone") else None
    page.fill("#quota-zone input[name$='-0-min']", "6")
    page.click("#shortlist-run")
    page.wait_for_selector(".run-card[data-run-status=queued]")
    _work()
    page.wait_for_selector("#shortlist-result[data-status=done]", timeout=15_000)
    page.select_option("#compare-a", "1")
    page.select_option("#compare-b", "2")
    page.click("#compare-submit")
    page.wait_for_selector("#shortlist-compare")
    text = page.inner_text("#shortlist-compare")
    assert "只在第 1 次入围" in text and "只在第 2 次入围" in text
    screenshot(page, "selection-shortlist-compare")

    # An impossible quota is told in words.
    page.click("#run-row-1 a[href*='from=1']")
    page.click("#quota-details summary") if not page.is_visible("#quota-zone") else None
    page.fill("#quota-zone input[name$='-0-min']", "12")
    page.fill("#quota-zone input[name$='-1-min']", "3")
    page.click("#shortlist-run")
    page.wait_for_selector(".run-card[data-run-status=queued]")
    _work()
    page.wait_for_selector("#shortlist-result[data-status=infeasible]", timeout=15_000)
    assert "请把下限降到" in page.inner_text("#infeasible")
    screenshot(page, "selection-shortlist-infeasible")

    page.goto(url + "?run=2")
    page.click("#adopt")
    page.wait_for_selector("#shortlist-result .badge-ok")
    w.selection.refresh_from_db()
    assert w.selection.shortlist.number == 2

    login(phone_page, live_server, "office")
    phone_page.goto(url + "?a=1&b=2&run=2")
    phone_page.wait_for_selector("#shortlist-compare")
    screenshot(phone_page, "selection-shortlist-phone")
    assert not has_horizontal_scroll(phone_page)
