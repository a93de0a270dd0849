"""Account pages on a desktop and on a 375-px phone: rendered, no horizontal scroll, screenshots."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.conftest import make_user

pytestmark = pytest.mark.browser

OFFICE_PAGES = [
    ("/", "home-office"),
    ("/accounts/", "accounts-list"),
    ("/accounts/invite/", "accounts-invite-form"),
    ("/accounts/invitations/", "accounts-invitation-list"),
    ("/audit/", "core-audit"),
    ("/accounts/password/change/", "accounts-password-change"),
]


@pytest.fixture
def populated(tree, office_user, zone_user, coordinator, outsider):
    from shidian.apps.accounts.services import invitation_create, user_deactivate

    make_user("office2", tree.county, "office", full_name="办公室张老师")
    user_deactivate(actor=office_user, user=zone_user)
    invitation_create(
        actor=office_user,
        email="pending.person@example.org",
        role="coordinator",
        unit=tree.school2,
        full_name="赵老师",
        base_url="http://testserver",
    )
    return tree


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("which", ["page", "phone_page"])
def test_office_pages(request, which, live_server, populated):
    page = request.getfixturevalue(which)
    login(page, live_server, "office")
    suffix = "-phone" if which == "phone_page" else ""
    for path, name in OFFICE_PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "乙县" not in page.inner_text("main"), path
        assert not has_horizontal_scroll(page), path
        screenshot(page, f"{name}{suffix}")
    page.goto(f"{live_server.url}/accounts/")
    page.click("text=coord")
    page.wait_for_load_state("networkidle")
    assert "coord@example.org" in page.inner_text("main")
    assert not has_horizontal_scroll(page)
    screenshot(page, f"accounts-detail{suffix}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("which", ["page", "phone_page"])
def test_public_pages(request, which, live_server, db):
    page = request.getfixturevalue(which)
    suffix = "-phone" if which == "phone_page" else ""
    for path, name in [
        ("/accounts/login/", "accounts-login"),
        ("/accounts/password/reset/", "accounts-password-reset"),
        ("/accounts/join/tampered-token/", "accounts-invitation-invalid"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert not has_horizontal_scroll(page), path
        screenshot(page, f"{name}{suffix}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username", ["zone", "coord"])
def test_role_homes(page, live_server, tree, zone_user, coordinator, username):
    login(page, live_server, username)
    main = page.inner_text("main")
    assert "甲县第一小学" in main
    assert "乙县" not in main
    if username == "coord":
        assert "甲县第二初中" not in main
    screenshot(page, f"home-{username}")


@pytest.mark.django_db(transaction=True)
def test_filter_accounts_with_htmx(page, live_server, populated):
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/accounts/")
    page.select_option("#id_role", "coordinator")
    page.wait_for_function(
        "() => !document.querySelector('#results').innerText.includes('office2')"
    )
    results = page.inner_text("#results")
    assert "coord" in results and "office2" not in results
    assert "role=coordinator" in page.url


@pytest.mark.django_db(transaction=True)
def test_office_pages_in_english(page, live_server, populated):
    page.context.add_cookies([{"name": "shidian_language", "value": "en", "url": live_server.url}])
    login(page, live_server, "office")
    assert "Recent activity" in page.inner_text("main")
    screenshot(page, "home-office-en")
    for path, text, name in [
        ("/accounts/", "Username", "accounts-list-en"),
        ("/accounts/invite/", "Send invitation", "accounts-invite-en"),
        ("/accounts/invitations/", "Resend", "accounts-invitation-list-en"),
        ("/audit/", "Audit log", "core-audit-en"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert text in page.inner_text("main"), path
        screenshot(page, name)
