"""The office forms the batches balanced, swaps two pilots (the balance figures update in
place), then opens the design check with its chart; desktop and phone screenshots."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.selection.factories import world
from tests.selection.test_batches import adopt_shortlist, zone_ordered
from tests.selection.test_design import pair_controls

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_forms_swaps_and_checks_the_design(page, phone_page, live_server, tree, office_user):
    from shidian.apps.selection.models import BatchPlacement

    w = world(tree, office=office_user)
    ids = adopt_shortlist(w, zone_ordered(w))
    base = f"{live_server.url}/selections/{w.selection.pk}"
    login(page, live_server, "office")
    page.goto(f"{base}/batches/")
    page.check('input[name="method"][value="balanced"]')
    page.once("dialog", lambda d: d.accept())
    page.click("#batches-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#balance-table").is_visible()
    assert BatchPlacement.objects.filter(selection=w.selection).count() == 14
    screenshot(page, "selection-batches-desktop")

    first = BatchPlacement.objects.get(selection=w.selection, unit_id=ids[0])
    other = BatchPlacement.objects.filter(selection=w.selection).exclude(cycle=first.cycle).first()
    target = other.cycle.number
    page.select_option("#swap-form select[name=unit_a]", str(first.unit_id))
    page.select_option("#swap-form select[name=unit_b]", str(other.unit_id))
    page.click("#swap-form button[type=submit]")
    page.wait_for_selector("#placements-table .badge-warn")
    row = page.locator(f'#placements-table tr[data-unit="{first.unit.code}"]')
    assert row.get_attribute("data-batch") == str(target)
    first.refresh_from_db()
    assert first.cycle_id == other.cycle_id and first.by_hand
    assert page.locator("#panel .message-success").is_visible()
    screenshot(page, "selection-batches-swapped-desktop")

    pair_controls(w, ids, per_pilot=2)
    page.goto(f"{base}/design/")
    page.wait_for_selector("#design-chart canvas")
    sentence = page.locator("#design-sentence").inner_text()
    assert "按 14 所试点" in sentence and "很可能无法被发现" in sentence
    screenshot(page, "selection-design-desktop")

    login(phone_page, live_server, "office")
    phone_page.goto(f"{base}/batches/")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "selection-batches-phone")
    phone_page.goto(f"{base}/design/")
    phone_page.wait_for_selector("#design-chart canvas")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "selection-design-phone")
