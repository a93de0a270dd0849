"""The invitation flow end to end, and every way a link can be unusable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shidian.apps.accounts import tokens
from shidian.apps.accounts.models import Invitation, User
from shidian.apps.core.models import AuditEvent
from tests.accounts.conftest import path_of

NEW_PASSWORD = "Qingshan-River-2026"


def accept(client, link, username="newcoord", full_name="新联络人", password=NEW_PASSWORD, **kw):
    data = {"username": username, "full_name": full_name, "password1": password}
    data["password2"] = kw.get("password2", password)
    return client.post(path_of(link), data)


@pytest.mark.django_db
def test_invite_accept_and_land_on_the_school(invite, tree, office_user):
    link = invite(email="Li.Ming@Example.ORG")
    message = mail.outbox[-1]
    assert message.to == ["Li.Ming@example.org"]
    assert "甲县第一小学" in message.subject + message.body
    assert "学校联络人" in message.body

    visitor = Client()
    page = visitor.get(path_of(link))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="Li.Ming"' in body  # username pre-filled from the e-mail
    assert 'value="新联络人"' in body

    response = accept(visitor, link, username="liming")
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    user = User.objects.get(username="liming")
    assert (user.unit, user.role, user.email) == (tree.school, "coordinator", "Li.Ming@example.org")
    assert user.check_password(NEW_PASSWORD)

    home = visitor.get("/").content.decode()
    assert "甲县第一小学" in home and "甲县第二初中" not in home
    invitation = Invitation.objects.get()
    assert invitation.accepted_user == user and invitation.accepted_at is not None
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["accounts.invite", "accounts.invite_accept"]


@pytest.mark.django_db
def test_a_used_link_is_refused_with_a_clear_message(invite):
    link = invite()
    assert accept(Client(), link).status_code == 302
    again = Client().get(path_of(link))
    assert again.status_code == 410
    assert "此邀请已被使用" in again.content.decode()
    assert accept(Client(), link, username="second").status_code == 410
    assert User.objects.filter(username="second").count() == 0


@pytest.mark.django_db
def test_an_expired_link_is_refused(invite, settings):
    link = invite()
    settings.INVITATION_MAX_AGE = timedelta(seconds=-1)
    response = Client().get(path_of(link))
    assert response.status_code == 410
    assert "邀请链接已过期" in response.content.decode()


@pytest.mark.django_db
def test_a_tampered_link_is_refused(invite):
    link = invite()
    path = path_of(link)
    token = path.rstrip("/").rsplit("/", 1)[1]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = Client().get(reverse("accounts:invitation_accept", args=[forged]))
    assert response.status_code == 400
    assert "邀请链接无效" in response.content.decode()
    garbage = Client().get(reverse("accounts:invitation_accept", args=["not-a-token"]))
    assert garbage.status_code == 400


@pytest.mark.django_db
def test_a_token_for_another_purpose_is_refused(invite):
    from django.core import signing

    invite()
    invitation = Invitation.objects.get()
    other_salt = signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt="something.else")
    response = Client().get(reverse("accounts:invitation_accept", args=[other_salt]))
    assert response.status_code == 400


@pytest.mark.django_db
def test_revoked_link_is_refused(invite, office_client):
    link = invite()
    invitation = Invitation.objects.get()
    office_client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    response = Client().get(path_of(link))
    assert response.status_code == 410 and "此邀请已被撤销" in response.content.decode()
    assert AuditEvent.objects.filter(action="accounts.invite_revoke").count() == 1


@pytest.mark.django_db
def test_resend_supersedes_the_old_link(invite, office_client, django_capture_on_commit_callbacks):
    old_link = invite()
    invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(reverse("accounts:invitation_resend", args=[invitation.pk]))
    assert len(mail.outbox) == 2
    new_link = mail.outbox[-1].body.split("\n")
    new_link = next(line for line in new_link if line.startswith("http"))
    assert new_link != old_link
    old = Client().get(path_of(old_link))
    assert old.status_code == 410 and "邀请已重新发送" in old.content.decode()
    assert Client().get(path_of(new_link)).status_code == 200
    invitation.refresh_from_db()
    assert invitation.send_count == 2


@pytest.mark.django_db
def test_resend_revives_an_expired_invitation(invite, office_client):
    invite()
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    office_client.post(reverse("accounts:invitation_resend", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timedelta(days=6)


@pytest.mark.django_db
def test_password_validators_apply(invite):
    link = invite()
    visitor = Client()
    for password, password2 in [("12345678", "12345678"), ("short", "short"), (NEW_PASSWORD, "x")]:
        response = accept(visitor, link, password=password, password2=password2)
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    assert not User.objects.filter(username="newcoord").exists()


@pytest.mark.django_db
def test_taken_username_is_refused(invite, coordinator):
    link = invite()
    response = accept(Client(), link, username="COORD")
    assert response.status_code == 200
    assert "该用户名已被使用" in response.content.decode()


@pytest.mark.django_db
def test_suggested_username_avoids_taken_names(invite, coordinator):
    link = invite(email="coord@example.net")
    assert 'value="coord2"' in Client().get(path_of(link)).content.decode()


@pytest.mark.django_db
def test_role_must_fit_the_unit_level(office_client, tree):
    response = office_client.post(
        reverse("accounts:invite"),
        {"email": "x@example.org", "role": "coordinator", "unit": tree.county.pk},
    )
    assert response.status_code == 200
    assert "应属于以下层级的单位" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_cannot_invite_outside_the_subtree(office_client, tree):
    response = office_client.post(
        reverse("accounts:invite"),
        {"email": "x@example.org", "role": "coordinator", "unit": tree.other_school.pk},
    )
    assert response.status_code == 200
    assert not Invitation.objects.exists()
    assert "乙县" not in office_client.get(reverse("accounts:invite")).content.decode()


@pytest.mark.django_db
def test_duplicate_pending_invitation_is_refused(invite, office_client, tree):
    invite(email="dup@example.org")
    response = office_client.post(
        reverse("accounts:invite"),
        {"email": "DUP@example.org", "role": "coordinator", "unit": tree.school.pk},
    )
    assert response.status_code == 200
    assert "尚未接受" in response.content.decode()
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,unit_attr",
    [
        ("leading_group", "county"),
        ("office", "county"),
        ("expert", "county"),
        ("zone", "zone"),
        ("coordinator", "school"),
        ("community_lead", "school2"),
    ],
)
def test_every_role_can_be_invited(invite, tree, role, unit_attr):
    link = invite(email=f"{role}@example.org", role=role, unit=getattr(tree, unit_attr))
    assert accept(Client(), link, username=f"u-{role}").status_code == 302
    assert User.objects.get(username=f"u-{role}").role == role


@pytest.mark.django_db
def test_invitation_list_shows_only_the_subtree(invite, other_office, tree):
    invite(email="mine@example.org")
    other = Client()
    other.force_login(other_office)
    body = other.get(reverse("accounts:invitations")).content.decode()
    assert "mine@example.org" not in body
    other_revoke = other.post(
        reverse("accounts:invitation_revoke", args=[Invitation.objects.get().pk])
    )
    assert other_revoke.status_code == 404


@pytest.mark.django_db
def test_invitation_list_tabs(invite, office_client):
    invite(email="pending@example.org")
    assert (
        "pending@example.org" in office_client.get(reverse("accounts:invitations")).content.decode()
    )
    accepted = office_client.get(reverse("accounts:invitations"), {"status": "accepted"})
    assert "pending@example.org" not in accepted.content.decode()


@pytest.mark.django_db
def test_mail_failure_keeps_the_invitation(
    office_client, tree, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.accounts.test_invitations.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            reverse("accounts:invite"),
            {"email": "x@example.org", "role": "coordinator", "unit": tree.school.pk},
        )
    assert response.status_code == 302
    assert Invitation.objects.count() == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")


@pytest.mark.django_db
def test_token_round_trip(tree, office_user):
    from shidian.apps.accounts.services import invitation_create

    invitation = invitation_create(
        actor=office_user, email="a@example.org", role="zone", unit=tree.zone, base_url="http://x"
    )
    assert tokens.read_token(tokens.make_token(invitation)) == invitation


@pytest.mark.django_db
def test_outsider_gets_404_for_another_countys_objects(invite, outsider, coordinator):
    invite()
    invitation = Invitation.objects.get()
    client = Client()
    client.force_login(outsider)
    for name, pk in [
        ("accounts:detail", coordinator.pk),
        ("accounts:deactivate", coordinator.pk),
        ("accounts:reactivate", coordinator.pk),
        ("accounts:invitation_resend", invitation.pk),
        ("accounts:invitation_revoke", invitation.pk),
    ]:
        assert client.post(reverse(name, args=[pk])).status_code == 404, name
    invitation.refresh_from_db()
    assert invitation.is_pending and invitation.send_count == 1


@pytest.mark.django_db
def test_resend_is_audited(invite, office_client, office_user):
    invite()
    invitation = Invitation.objects.get()
    office_client.post(reverse("accounts:invitation_resend", args=[invitation.pk]))
    event = AuditEvent.objects.get(action="accounts.invite_resend")
    assert event.actor == office_user and event.data == {"send_count": 2}


@pytest.mark.django_db
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), replacement=st.sampled_from("AZaz09-_:."))
def test_any_altered_character_breaks_the_link(tree, office_user, position, replacement):
    from shidian.apps.accounts.services import invitation_create

    invitation = Invitation.objects.first() or invitation_create(
        actor=office_user, email="p@example.org", role="zone", unit=tree.zone, base_url="http://x"
    )
    token = tokens.make_token(invitation)
    i = position % len(token)
    if token[i] == replacement:
        return
    altered = token[:i] + replacement + token[i + 1 :]
    with pytest.raises(tokens.InvitationTokenError) as info:
        tokens.read_token(altered)
    assert info.value.code == "invalid"


@pytest.mark.django_db
def test_names_pasted_with_control_characters_are_cleaned(invite):
    # A name copied from Word carries a vertical tab; stored, it would break every XLSX export.
    link = invite(email="vt@example.org", full_name="王\x0b老师\x00")
    assert Invitation.objects.get(email="vt@example.org").full_name == "王 老师"
    accept(Client(), link, username="wangls", full_name="王\x1f老\x0b师")
    assert User.objects.get(username="wangls").full_name == "王老 师"
