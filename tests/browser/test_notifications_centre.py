"""Notifications in a browser: the bell shows the unread count, the centre marks one read with
HTMX (the bell follows without a reload), then all; the person switches off e-mail for a
category. On a 375-px phone the centre and settings fit without sideways scroll."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import has_horizontal_scroll, login, screenshot


def _notes(user):
    from shidian.apps.notifications.services import notify

    notify([user], "campaigns.open", "请填报2026年自查表", link="/campaigns/", mail=False)
    notify([user], "selection.quota", "请推荐片区候选学校", link="/", mail=False)
    notify([user], "campaigns.remind", "距截止还有三天", mail=False)


@pytest.mark.django_db(transaction=True)
def test_unread_count_centre_mark_read_and_preferences(page, live_server, coordinator):
    from shidian.apps.notifications.models import EmailChoice, NotificationPreference

    _notes(coordinator)
    login(page, live_server, "coord")
    page.wait_for_selector("#notification-bell")
    assert page.inner_text("#bell-count").startswith("3")
    page.click("#notification-bell")
    page.wait_for_selector("#notification-list")
    assert page.locator(".notification.unread").count() == 3
    screenshot(page, "notifications-centre")
    page.locator(".notification.unread .notification-read button").first.click()
    # CSP forbids eval, so wait with locators, not wait_for_function
    expect(page.locator(".notification.unread")).to_have_count(2)
    expect(page.locator("#bell-count")).to_have_text(re.compile(r"^\s*2"))
    page.click("#mark-all-read")
    page.wait_for_load_state("networkidle")
    assert page.locator(".notification.unread").count() == 0
    assert page.locator("#bell-count").is_hidden()
    page.click("#notification-settings")
    page.select_option("#id_email_campaigns", EmailChoice.OFF)
    page.select_option("#id_email_selection", EmailChoice.DIGEST)
    page.click("#save-preferences")
    page.wait_for_selector(".message-success")
    prefs = NotificationPreference.objects.filter(user=coordinator)  # scoping: ok test
    chosen = dict(prefs.values_list("category", "email"))
    assert chosen == {"campaigns": EmailChoice.OFF, "selection": EmailChoice.DIGEST}
    screenshot(page, "notifications-settings")


@pytest.mark.django_db(transaction=True)
def test_centre_on_a_phone(phone_page, live_server, coordinator):
    _notes(coordinator)
    login(phone_page, live_server, "coord")
    phone_page.goto(f"{live_server.url}/notifications/")
    phone_page.wait_for_selector("#notification-list")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "notifications-centre-phone")
    phone_page.goto(f"{live_server.url}/notifications/settings/")
    assert not has_horizontal_scroll(phone_page)
