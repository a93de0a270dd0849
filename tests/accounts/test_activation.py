"""First login with an activation code: single use, expiry, throttled like password logins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shidian.apps.accounts.models import ActivationCode, User
from shidian.apps.accounts.onboarding import (
    ActivationError,
    accounts_bulk_create,
    activation_check,
    activation_codes_reissue,
    activation_complete,
)
from shidian.apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db
ACTIVATE = "/accounts/activate/"
STEP_TWO = "/accounts/activate/password/"
NEW_PASSWORD = "Qingshan-River-2026"


@pytest.fixture
def codes(office_user, tree):
    result = accounts_bulk_create(actor=office_user, root=tree.county)
    return {r.username: r.code for r in result.rows}


def logged_in_as(client) -> str | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk).username if pk else None


def activate(client, username, code, password=NEW_PASSWORD, **extra):
    first = client.post(ACTIVATE, {"username": username, "code": code})
    if first.status_code != 302:
        return first
    assert first["Location"] == STEP_TWO
    return client.post(STEP_TWO, {"password1": password, "password2": password, **extra})


# --- service --------------------------------------------------------------------------------


def test_code_is_checked_loosely_but_exactly(codes):
    code = codes["a1-1"]
    typed = code.lower().replace("-", " ")
    assert activation_check(username="A1-1", code=typed).user.username == "a1-1"
    with pytest.raises(ActivationError) as wrong:
        activation_check(username="a1-1", code=codes["a1-2"])
    assert wrong.value.code == "invalid" and wrong.value.counts
    with pytest.raises(ActivationError) as nobody:
        activation_check(username="nobody", code=code)
    assert nobody.value.message == wrong.value.message  # no hint which part was wrong


def test_expired_and_used_codes_say_so(codes):
    ActivationCode.objects.filter(user__username="a1-1").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ActivationError) as expired:
        activation_check(username="a1-1", code=codes["a1-1"])
    assert expired.value.code == "expired" and not expired.value.counts
    record = activation_check(username="a1-2", code=codes["a1-2"])
    activation_complete(user_id=record.user_id, digest=record.digest, password=NEW_PASSWORD)
    with pytest.raises(ActivationError) as used:
        activation_check(username="a1-2", code=codes["a1-2"])
    assert used.value.code == "used"
    with pytest.raises(ActivationError):  # the same step 2 cannot run twice
        activation_complete(user_id=record.user_id, digest=record.digest, password="x" * 12)


def test_deactivated_account_cannot_activate(codes, office_user):
    User.objects.filter(username="a1-1").update(is_active=False)
    with pytest.raises(ActivationError) as error:
        activation_check(username="a1-1", code=codes["a1-1"])
    assert error.value.code == "inactive"


def test_reissue_kills_a_code_between_the_two_steps(codes, office_user):
    record = activation_check(username="a1-1", code=codes["a1-1"])
    activation_codes_reissue(actor=office_user, batch=record.batch)
    with pytest.raises(ActivationError) as error:
        activation_complete(user_id=record.user_id, digest=record.digest, password=NEW_PASSWORD)
    assert error.value.code == "superseded"


# --- pages ----------------------------------------------------------------------------------


def test_login_page_offers_first_login_with_a_code(client):
    body = client.get(reverse("accounts:login")).content.decode()
    assert "首次登录（激活码）" in body and ACTIVATE in body


def test_activate_sets_the_password_and_logs_in(client, codes, tree):
    response = activate(client, "a1-1", codes["a1-1"], full_name="张老师")
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert logged_in_as(client) == "a1-1"
    user = User.objects.get(username="a1-1")
    assert user.check_password(NEW_PASSWORD) and user.full_name == "张老师"
    assert ActivationCode.objects.get(user=user).used_at is not None
    assert AuditEvent.objects.filter(action="accounts.activate", actor=user).exists()
    home = client.get(reverse("core:home")).content.decode()
    assert "甲县第一小学" in home
    # from now on the password logs in; the code no longer does
    client.post("/accounts/logout/")
    again = client.post(ACTIVATE, {"username": "a1-1", "code": codes["a1-1"]})
    assert "该账号已经激活" in again.content.decode()
    login = client.post("/accounts/login/", {"username": "a1-1", "password": NEW_PASSWORD})
    assert login.status_code == 302


def test_the_password_validators_apply(client, codes):
    response = activate(client, "a1-1", codes["a1-1"], password="12345678")
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not User.objects.get(username="a1-1").has_usable_password()
    assert logged_in_as(client) is None


def test_step_two_needs_step_one(client, codes):
    response = client.get(STEP_TWO)
    assert response.status_code == 302 and response["Location"] == ACTIVATE
    post = client.post(STEP_TWO, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert post.status_code == 302
    assert not User.objects.get(username="a1-1").has_usable_password()


def test_expired_code_page_says_so(client, codes):
    ActivationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    body = client.post(ACTIVATE, {"username": "a1-1", "code": codes["a1-1"]}).content.decode()
    assert "该激活码已过期" in body


def test_wrong_codes_are_throttled_like_passwords(client, codes):
    for _ in range(5):
        response = client.post(ACTIVATE, {"username": "a1-1", "code": "AAAAA-AAAAA"})
    assert response.status_code == 429
    locked = client.post(ACTIVATE, {"username": "a1-1", "code": codes["a1-1"]})
    assert locked.status_code == 429 and "登录已暂停" in locked.content.decode()
    # the same counter as the password login: the name is locked there too
    assert client.post("/accounts/login/", {"username": "a1-1", "password": "x"}).status_code == 429
    # another name from the same address is not
    assert activate(client, "a1-2", codes["a1-2"]).status_code == 302


def test_wrong_passwords_and_codes_share_one_counter(client, codes):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "a1-1", "password": "wrong"})
    for _ in range(2):
        last = client.post(ACTIVATE, {"username": "a1-1", "code": "AAAAA-AAAAA"})
    assert last.status_code == 429


def test_a_logged_in_user_is_sent_home(coordinator_client):
    assert coordinator_client.get(ACTIVATE)["Location"] == reverse("core:home")
