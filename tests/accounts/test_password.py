"""Password reset by e-mail and password change while logged in."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from shidian.apps.core.models import AuditEvent
from tests.accounts.conftest import email_link, path_of
from tests.conftest import PASSWORD

NEW = "Lantern-Orchard-77"


def request_reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email})


@pytest.mark.django_db
def test_reset_mail_is_sent_and_its_link_works(client, coordinator):
    response = request_reset(client, "coord@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["coord@example.org"]
    assert "coord" in message.body

    link = path_of(email_link(message))
    form_page = client.get(link, follow=True)  # Django swaps the token for a session marker
    assert form_page.status_code == 200
    assert "new_password1" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    coordinator.refresh_from_db()
    assert coordinator.check_password(NEW)
    assert AuditEvent.objects.filter(action="accounts.password_reset", actor=coordinator).exists()

    login = Client().post(reverse("accounts:login"), {"username": "coord", "password": NEW})
    assert login.status_code == 302

    again = client.get(link, follow=True)
    assert "重置链接无效或已被使用" in again.content.decode()


@pytest.mark.django_db
def test_unknown_or_inactive_address_sends_nothing_and_says_the_same(client, coordinator):
    coordinator.is_active = False
    coordinator.save()
    for email in ("coord@example.org", "nobody@example.org"):
        response = request_reset(client, email)
        assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_reset_clears_a_lockout(client, coordinator):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "coord", "password": "bad"})
    locked = client.post(reverse("accounts:login"), {"username": "coord", "password": PASSWORD})
    assert locked.status_code == 429
    request_reset(client, "coord@example.org")
    form_page = client.get(path_of(email_link(mail.outbox[0])), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert (
        client.post(reverse("accounts:login"), {"username": "coord", "password": NEW}).status_code
        == 302
    )


@pytest.mark.django_db
def test_password_change(coordinator_client, coordinator):
    url = reverse("accounts:password_change")
    bad = coordinator_client.post(
        url, {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}
    )
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    good = coordinator_client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert good.status_code == 302
    assert good["Location"] == reverse("accounts:password_change_done")
    coordinator.refresh_from_db()
    assert coordinator.check_password(NEW)
    assert coordinator_client.get("/").status_code == 200  # still logged in
    assert AuditEvent.objects.filter(action="accounts.password_change").count() == 1


@pytest.mark.django_db
def test_password_change_needs_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_reset_mails_are_limited_per_address(client, coordinator):
    for _ in range(8):
        assert request_reset(client, "coord@example.org").status_code == 302
    assert len(mail.outbox) == 5
