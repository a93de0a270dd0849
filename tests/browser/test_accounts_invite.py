"""Office invites a coordinator, who opens the e-mailed link and lands on their school."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.browser.conftest import DESKTOP, PHONE, has_horizontal_scroll, login, screenshot

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Qingshan-River-2026"


def _link_from_outbox() -> str:
    assert mail.outbox, "no invitation e-mail was sent"
    match = re.search(r"https?://\S+", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0)


@pytest.mark.django_db(transaction=True)
def test_office_invites_a_coordinator_who_sets_a_password(
    browser, page, live_server, office_user, tree
):
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/accounts/invite/")
    page.fill("#id_email", "wang.fang@example.org")
    page.fill("#id_full_name", "王芳")
    page.select_option("#id_role", "coordinator")
    page.fill("#id_unit", "")
    page.type("#id_unit", "第一小学")  # the unit picker searches as you type
    page.click(f'[role=option][data-code="{tree.school.code}"]')
    assert page.input_value("#id_unit") == tree.school.code
    screenshot(page, "accounts-invite")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/invitations/" in page.url
    assert "wang.fang@example.org" in page.inner_text("main")
    screenshot(page, "accounts-invitations")

    link = _link_from_outbox()
    assert link.startswith(live_server.url)

    for viewport, suffix in ((PHONE, "-phone"), (DESKTOP, "")):  # the phone only looks
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        invitee = context.new_page()
        invitee.goto(link)
        assert invitee.input_value("#id_username") == "wang.fang"
        assert not has_horizontal_scroll(invitee)
        screenshot(invitee, f"accounts-invitation-accept{suffix}")
        if suffix:
            context.close()
            continue
        invitee.fill("#id_password1", NEW_PASSWORD)
        invitee.fill("#id_password2", NEW_PASSWORD)
        invitee.click("form.form button[type=submit]")
        invitee.wait_for_load_state("networkidle")
        assert invitee.url.rstrip("/") == live_server.url
        main = invitee.inner_text("main")
        assert "甲县第一小学" in main
        assert "甲县第二初中" not in main and "乙县" not in main
        assert "王芳" in invitee.inner_text("header")
        screenshot(invitee, "home-invited-coordinator")

        # the link works once only
        invitee.goto(link)
        assert "此邀请已被使用" in invitee.inner_text("main")
        screenshot(invitee, "accounts-invitation-used")
        context.close()
