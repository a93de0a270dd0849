"""Chinese first, English by the switch."""

import pytest


@pytest.mark.django_db
def test_chinese_is_the_default_whatever_the_browser_says(client, office_user):
    client.force_login(office_user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    assert "退出" in page.content.decode()
    client.cookies["shidian_language"] = "en"
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert page["Content-Language"] == "en"
    assert "Log out" in page.content.decode()
