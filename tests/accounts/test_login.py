"""Login, logout and login throttling (django-axes: 5 failures lock username+IP for 15 min)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"


def attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_login_lands_on_home(client, office_user):
    response = attempt(client, "office", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert logged_in(client)


@pytest.mark.django_db
def test_wrong_password_shows_an_error(client, office_user):
    response = attempt(client, "office", "nope")
    assert response.status_code == 200
    assert not logged_in(client)
    assert "form-errors" in response.content.decode()


@pytest.mark.django_db
def test_sixth_attempt_is_refused_even_with_the_right_password(client, office_user):
    for _ in range(5):
        attempt(client, "office", "wrong-password")
    response = attempt(client, "office", PASSWORD)
    assert response.status_code == 429
    assert "登录已暂停" in response.content.decode()
    assert not logged_in(client)


@pytest.mark.django_db
def test_lockout_is_per_username(client, office_user, coordinator):
    for _ in range(5):
        attempt(client, "office", "wrong-password")
    assert attempt(client, "coord", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_success_resets_the_failure_count(client, office_user):
    for _ in range(4):
        attempt(client, "office", "wrong-password")
    assert attempt(client, "office", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        attempt(client, "office", "wrong-password")
    assert attempt(client, "office", PASSWORD).status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_logout_needs_post(office_client):
    assert office_client.get("/accounts/logout/").status_code == 405
    assert logged_in(office_client)
    response = office_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not logged_in(office_client)


@pytest.mark.django_db
def test_deactivated_user_cannot_log_in(client, coordinator):
    coordinator.is_active = False
    coordinator.save()
    response = attempt(client, "coord", PASSWORD)
    assert response.status_code == 200
    assert not logged_in(client)


@pytest.mark.django_db
def test_deactivation_ends_an_open_session(client, coordinator, office_user):
    client.force_login(coordinator)
    assert client.get("/").status_code == 200
    coordinator.is_active = False
    coordinator.save()
    response = client.get("/")
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_login_page_links_to_password_reset(client):
    body = client.get(LOGIN).content.decode()
    assert reverse("accounts:password_reset") in body
