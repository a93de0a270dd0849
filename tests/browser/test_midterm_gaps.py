"""The office opens a mid-term round's gap analysis and turns the gaps into rectification
items in one step; the school reads its own gap report on a phone.

The last step needs inspections' ``rectification_issue``; while main has only its stub, the
step runs against a recording fake (the live server shares this process), so the page, the
form and the no-duplicates rule are exercised either way."""

from __future__ import annotations

import inspect

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.midterm.factories import FakeRectification, scored_round
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db(transaction=True)


def _stub_only() -> bool:
    from shidian.apps.inspections.services import rectification

    return "NotImplementedError" in inspect.getsource(rectification.rectification_issue)


def test_office_opens_gaps_and_creates_items(page, phone_page, live_server, tree, monkeypatch):
    from shidian.apps.campaigns.models import Sheet
    from shidian.apps.inspections.services import rectification
    from shidian.apps.midterm.models import GapItem

    midterm = scored_round(tree)
    w = pilot_world(tree)
    fake = None
    if _stub_only():
        fake = FakeRectification()
        monkeypatch.setattr(rectification, "rectification_issue", fake)
    base = f"{live_server.url}/midterm/{midterm.pk}/"
    login(page, live_server, "tw-office")
    page.goto(base)
    assert page.locator("#gap-matrix").is_visible()
    assert page.locator("#school-table tbody tr").count() == 6
    screenshot(page, "midterm-gaps-desktop")

    page.click("#create-items")
    page.wait_for_load_state("networkidle")
    created = GapItem.objects.count()
    assert created > 0
    assert page.locator(".message-success").first.is_visible()
    if fake is not None:
        assert len(fake.calls) == created
    page.click("#create-items")  # a second press issues nothing twice
    page.wait_for_load_state("networkidle")
    assert GapItem.objects.count() == created
    if fake is not None:
        assert len(fake.calls) == created

    login(phone_page, live_server, "tw-office")
    phone_page.goto(base)
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "midterm-gaps-phone")

    own = w.pilots[0]
    sheet = Sheet.objects.get(round=midterm.campaign, unit=own)  # scoping: ok test
    phone_page.context.clear_cookies()
    login(phone_page, live_server, f"coord-{own.code}")
    phone_page.goto(f"{live_server.url}/midterm/sheets/{sheet.pk}/")
    assert phone_page.locator("#gap-table").is_visible()
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "midterm-school-phone")
