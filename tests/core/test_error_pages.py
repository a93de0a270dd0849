"""Error pages in the user's language, with the app's layout and navigation (DEBUG off)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

# (path, status, Chinese heading, English heading)
NOT_FOUND = ("/no-such-page/", 404, "找不到这个页面", "Page not found")
FORBIDDEN = ("/audit/", 403, "没有权限", "Not allowed")


def page(client, path, *, english=False, **extra):
    if english:
        client.cookies["shidian_language"] = "en"
    return client.get(path, **extra)


def assert_app_page(response, heading: str, *, nav: bool):
    html = response.content.decode()
    assert heading in html
    assert 'class="topbar"' in html and "/static/css/app.css" in html
    assert ('id="mainnav"' in html) is nav
    assert "Forbidden" not in html and "Not Found</h1>" not in html  # not Django's bare pages


@pytest.mark.parametrize("english", [False, True])
@pytest.mark.parametrize("case", [NOT_FOUND, FORBIDDEN], ids=["404", "403"])
def test_errors_for_a_logged_in_user(coordinator_client, settings, case, english):
    assert settings.DEBUG is False
    path, status, zh, en = case
    response = page(coordinator_client, path, english=english)
    assert response.status_code == status
    assert_app_page(response, en if english else zh, nav=True)
    assert response.context["user"].is_authenticated
    html = response.content.decode()
    assert ('<html lang="en">' in html) is english
    assert reverse("core:home") in html


def test_404_for_a_visitor_offers_the_login(client):
    response = page(client, NOT_FOUND[0])
    assert response.status_code == 404
    assert_app_page(response, NOT_FOUND[2], nav=False)
    assert reverse("accounts:login") in response.content.decode()


def test_every_refusal_reads_the_same(coordinator_client, tree):
    # A page for office staff only and a management action outside the role: one wording.
    texts = []
    for path in ("/audit/", reverse("orgs:import"), reverse("orgs:move", args=[tree.school.pk])):
        response = coordinator_client.get(path)
        assert response.status_code == 403, path
        texts.append(response.content.decode().split('role="alert"')[1].split("</section>")[0])
    assert len(set(texts)) == 1 and "联系项目办公室" in texts[0]


@pytest.mark.parametrize("english", [False, True])
def test_csrf_failure_is_the_app_page(coordinator, english):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    if english:
        client.cookies["shidian_language"] = "en"
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 403
    html = response.content.decode()
    assert ("This page has expired" if english else "页面已过期") in html
    assert 'id="mainnav"' in html and "CSRF verification failed" not in html


@pytest.mark.urls("tests.core.error_urls")
@pytest.mark.parametrize("english", [False, True])
def test_400_is_the_app_page(client, english):
    response = page(client, "/test-suspicious/", english=english)
    assert response.status_code == 400
    assert_app_page(response, "Bad request" if english else "请求无法处理", nav=False)


def test_a_disallowed_host_gets_the_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()


@pytest.mark.urls("tests.core.error_urls")
@pytest.mark.parametrize("english", [False, True])
def test_500_is_the_app_page(coordinator, english):
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    response = page(client, "/test-boom/", english=english)
    assert response.status_code == 500
    html = response.content.decode()
    assert ("Server error" if english else "服务器出错了") in html
    assert 'class="topbar"' in html and "css/app.css" in html
    assert "a bug" not in html  # nothing of the exception reaches the page


def test_500_renders_without_the_database_or_a_user(django_db_blocker, rf):
    from django.utils import translation
    from django.views.defaults import server_error

    with django_db_blocker.block(), translation.override("zh-hans"):  # a query would raise
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "服务器出错了" in response.content.decode()
