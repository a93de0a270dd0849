"""Access tokens in a browser: an office creates a token (shown once), calls the API with it,
sees its last use, and revokes it; the revoked token then gets 401. The docs page loads Swagger
UI from our own static files. On a 375-px phone the token page has no sideways scroll."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import has_horizontal_scroll, login, screenshot


@pytest.mark.django_db(transaction=True)
def test_create_use_and_revoke_a_token(page, phone_page, live_server, office_user):
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/api/tokens/")
    page.fill("#id_name", "区县数据中心同步")
    page.check("input[value='units:read']")
    page.click("#create-token")
    token = page.inner_text("#token-value").strip()
    assert token.startswith("sd_")
    screenshot(page, "api-token-created")

    called = page.request.get(
        f"{live_server.url}/api/v1/units", headers={"Authorization": f"Bearer {token}"}
    )
    assert called.status == 200 and called.json()["count"] >= 4

    page.goto(f"{live_server.url}/api/tokens/")
    expect(page.locator("#token-value")).to_have_count(0)
    assert token not in page.content()
    page.locator("#token-list button", has_text="吊销").click()
    expect(page.locator("#token-list .badge-err")).to_have_text("已吊销")
    refused = page.request.get(
        f"{live_server.url}/api/v1/units", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status == 401 and refused.json()["code"] == "unauthenticated"

    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .title")).to_contain_text("Shidian API")

    login(phone_page, live_server, "office")
    phone_page.goto(f"{live_server.url}/api/tokens/")
    phone_page.fill("#id_name", "手机上创建")
    phone_page.check("input[value='programmes:read']")
    phone_page.click("#create-token")
    expect(phone_page.locator("#token-value")).to_be_visible()
    assert not has_horizontal_scroll(phone_page)
