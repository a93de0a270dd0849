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


@pytest.mark.django_db
def test_a_request_in_english_leaves_the_thread_in_its_language(client, office_user):
    """The chosen language lasts for its request only: code that runs next in the thread
    without a request (a task, the next test) still speaks Chinese."""
    from django.utils import translation
    from django.utils.translation import gettext

    client.force_login(office_user)
    client.cookies["shidian_language"] = "en"
    page = client.get("/")
    assert page["Content-Language"] == "en" and "Log out" in page.content.decode()
    assert translation.get_language() == "zh-hans"
    assert gettext("退出") == "退出"
    client.cookies["shidian_language"] = "zh-hans"
    with translation.override("en"):
        assert "退出" in client.get("/").content.decode()
        assert translation.get_language() == "en"  # an override around a request survives it
