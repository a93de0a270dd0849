"""Demo accounts: one per role, idempotent, passwords that work."""

from __future__ import annotations

import pytest
from django.test import Client

from shidian.apps.accounts.demo import CHANGED, create_demo_accounts, demo_password
from shidian.apps.accounts.models import Role, User


def run(tree, **kw):
    return create_demo_accounts(
        county=tree.county,
        zone=tree.zone,
        school=tree.school,
        community_lead_school=tree.school2,
        **kw,
    )


@pytest.mark.django_db
def test_one_account_per_role_and_the_passwords_work(tree):
    rows = run(tree)
    assert {row[1] for row in rows} == set(Role.values)
    assert len({row[0] for row in rows}) == 6
    for username, _role, _unit, password in rows:
        response = Client().post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code == 302, username
    school = next(row for row in rows if row[1] == Role.COORDINATOR)
    assert school[2] == "甲县第一小学"


@pytest.mark.django_db
def test_idempotent_and_reports_changed_passwords(tree):
    first = run(tree)
    user = User.objects.get(username="school")
    user.set_password("Changed-by-user-1")
    user.save()
    second = run(tree)
    assert User.objects.count() == 6
    assert [r[:3] for r in first] == [r[:3] for r in second]
    assert dict((r[0], r[3]) for r in second)["school"] == CHANGED
    assert dict((r[0], r[3]) for r in second)["office"] == demo_password("office")


@pytest.mark.django_db
def test_explicit_password_is_set_every_time(tree):
    run(tree)
    rows = run(tree, password="Demo-pass-2026", expert_unit=tree.zone)
    assert all(r[3] == "Demo-pass-2026" for r in rows)
    assert User.objects.get(username="expert").unit == tree.zone


def test_demo_password_is_readable(settings):
    password = demo_password("office")
    assert len(password) == 14 and password.count("-") == 2
    assert password == demo_password("office") != demo_password("school")


@pytest.mark.django_db
def test_rerun_uses_fingerprints_not_password_checks(tree, monkeypatch):
    first = run(tree)
    calls = []
    original = User.check_password
    monkeypatch.setattr(
        User, "check_password", lambda self, raw: calls.append(raw) or original(self, raw)
    )
    assert run(tree) == first
    assert calls == []


@pytest.mark.django_db
def test_after_an_explicit_password_a_plain_rerun_reports_changed(tree):
    run(tree, password="Demo-pass-2026")
    assert {r[3] for r in run(tree)} == {CHANGED}
