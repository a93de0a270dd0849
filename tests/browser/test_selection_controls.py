"""Step 6 in a browser: the office runs a matching, sees the love plot (an ECharts canvas drawn
from json_script, no inline script) and the balance table, adopts the run; desktop and phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.selection.factories import world
from tests.selection.test_controls import complete, place, submitted


def _setup(tree, office_user):
    w = world(tree, office=office_user)
    complete(tree)
    place(w, submitted(w)[::4][:8])
    return w


@pytest.mark.django_db(transaction=True)
def test_office_matches_sees_the_love_plot_and_adopts(page, live_server, tree, office_user):
    from shidian.apps.selection.models import ControlPair

    w = _setup(tree, office_user)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/selections/{w.selection.pk}/controls/")
    assert page.locator("#match-form").count() == 1
    page.check("input[name=exact][value=locality]")
    page.click("#match-form button[type=submit]")
    page.wait_for_selector("#loveplot canvas", timeout=15_000)
    assert page.locator("#balance-table tbody tr").count() == 7  # 4 numeric + 3 school types
    assert "试点组的标准差" in page.inner_text("#match-balance")
    assert not [e for e in errors if "Content Security Policy" in e]
    screenshot(page, "selection-controls-result")
    if page.locator("input[name=confirm_unmatched]").count():
        page.check("input[name=confirm_unmatched]")
    page.click("#adopt-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已采用" in page.inner_text("#match-result")
    assert ControlPair.objects.filter(selection=w.selection).exists()
    screenshot(page, "selection-controls-adopted")


@pytest.mark.django_db(transaction=True)
def test_controls_on_a_phone(phone_page, live_server, tree, office_user):
    w = _setup(tree, office_user)
    login(phone_page, live_server, "office")
    phone_page.goto(f"{live_server.url}/selections/{w.selection.pk}/controls/")
    phone_page.click("#match-form button[type=submit]")
    phone_page.wait_for_selector("#loveplot canvas", timeout=15_000)
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "selection-controls-phone")
