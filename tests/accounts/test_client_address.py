"""The client address behind a reverse proxy: lockouts, the reset limit and the audit log.

Behind a proxy every request has the proxy's REMOTE_ADDR. Trusted proxies' X-Forwarded-For gives
the client; an untrusted peer's header is ignored, so nobody picks the address they are limited
by. And one address cannot try passwords across every user name.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from shidian.apps.core.clientip import client_ip
from shidian.apps.core.models import AuditEvent
from tests.conftest import PASSWORD, make_user

PROXY = "10.0.0.2"
ALICE, BOB = "203.0.113.5", "198.51.100.7"
LOGIN = "/accounts/login/"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::/32"]
    return settings


def via_proxy(address: str, *, chain: str = "") -> dict[str, str]:
    """What the app sees of a request that passed our proxy: the proxy appended ``address``."""
    forwarded = f"{chain}, {address}" if chain else address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def address_of(**meta: str) -> str:
    return client_ip(RequestFactory().get("/", **meta))


# --- the address itself -------------------------------------------------------------------------


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE) == PROXY


@pytest.mark.parametrize(
    "meta,expected",
    [
        (via_proxy(ALICE), ALICE),
        # whatever the client wrote to the left is not ours to believe
        (via_proxy(ALICE, chain="1.2.3.4, 5.6.7.8"), ALICE),
        # two of our proxies in a row: skip both
        ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{ALICE}, 10.1.1.1"}, ALICE),
        ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{ALICE}:51234"}, ALICE),
        ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "[2001:db9::5]:443"}, "2001:db9::5"),
        ({"REMOTE_ADDR": "::ffff:10.0.0.2", "HTTP_X_FORWARDED_FOR": ALICE}, ALICE),
        # a malformed hop: stop at the last address our proxies wrote
        ({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "nonsense, 10.1.1.1"}, "10.1.1.1"),
        ({"REMOTE_ADDR": PROXY}, PROXY),  # the proxy's own request (a health check)
    ],
)
def test_a_trusted_proxy_names_the_client(behind_proxy, meta, expected):
    assert address_of(**meta) == expected


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(behind_proxy):
    assert address_of(REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR="10.0.0.9, " + BOB) == ALICE


def test_a_bad_trusted_proxies_setting_fails_loudly(monkeypatch):
    from shidian.config.env import env_networks

    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, proxy.example.org")
    with pytest.raises(ImproperlyConfigured, match="proxy.example.org"):
        env_networks("TRUSTED_PROXIES")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7,::1")
    assert env_networks("TRUSTED_PROXIES") == ["10.0.0.0/8", "192.0.2.7/32", "::1/128"]


# --- login lockout ------------------------------------------------------------------------------


def request_reset(client, email: str, **meta: str):
    return client.post(reverse("accounts:password_reset"), {"email": email}, **meta)


def attempt(client, username: str, password: str, **meta: str):
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


@pytest.mark.django_db
def test_two_people_behind_one_proxy_are_locked_out_separately(client, behind_proxy, office_user):
    for _ in range(5):
        attempt(client, "office", "wrong", **via_proxy(ALICE))
    assert attempt(client, "office", PASSWORD, **via_proxy(ALICE)).status_code == 429
    # The real owner at another address still logs in: the attacker cannot lock the account.
    assert attempt(client, "office", PASSWORD, **via_proxy(BOB)).status_code == 302


@pytest.mark.django_db
def test_a_spoofed_header_does_not_escape_the_lockout(client, behind_proxy, office_user):
    for n in range(5):
        attempt(client, "office", "wrong", REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = attempt(
        client, "office", PASSWORD, REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR="192.0.2.99"
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_one_address_trying_many_user_names_is_locked(client, settings, tree, office_user):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for n in range(6):
        # three tries for each of two names: under the per-user limit of 5 for each
        attempt(client, ["office", "nobody"][n % 2], "wrong", REMOTE_ADDR=ALICE)
    response = attempt(client, "office", PASSWORD, REMOTE_ADDR=ALICE)
    assert response.status_code == 429
    assert "15 分钟后再试" in response.content.decode()
    assert attempt(client, "office", PASSWORD, REMOTE_ADDR=BOB).status_code == 302


@pytest.mark.django_db
def test_the_address_limit_counts_many_names(client, settings, tree, office_user):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 30
    for n in range(29):
        attempt(client, f"user{n}", "wrong", REMOTE_ADDR=ALICE)
    assert attempt(client, "office", PASSWORD, REMOTE_ADDR=ALICE).status_code == 302
    client.post("/accounts/logout/")
    attempt(client, "user-last", "wrong", REMOTE_ADDR=ALICE)
    assert attempt(client, "office", PASSWORD, REMOTE_ADDR=ALICE).status_code == 429


# --- the reset limit and the audit log -----------------------------------------------------------


@pytest.mark.django_db
def test_the_reset_limit_is_per_client_not_per_proxy(client, behind_proxy, tree):
    people = [make_user(f"t{n}", tree.school, "coordinator") for n in range(7)]
    for person in people[:6]:
        request_reset(client, person.email, **via_proxy(ALICE))
    assert len(mail.outbox) == 5  # ALICE's sixth request is over her limit
    request_reset(client, people[6].email, **via_proxy(BOB))
    assert len(mail.outbox) == 6 and mail.outbox[-1].to == [people[6].email]


@pytest.mark.django_db
def test_the_audit_log_records_the_client_address(client, behind_proxy, coordinator):
    client.force_login(coordinator)
    new = "Another-pass-2026"
    data = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    client.post(reverse("accounts:password_change"), data, **via_proxy(ALICE))
    event = AuditEvent.objects.get(action="accounts.password_change")
    assert event.ip_address == ALICE
