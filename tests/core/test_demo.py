"""`shidian demo` loads the generated county and an account for every role, once."""

from __future__ import annotations

import json

import pytest

from shidian.apps.accounts.models import Role, User
from shidian.apps.core.demo import demo_accounts_table, load_demo
from shidian.apps.orgs.models import OrgUnit


@pytest.mark.django_db
def test_demo_loads_once_with_an_account_per_role(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    first = load_demo(seed=2021)
    assert first.created
    assert 400 <= OrgUnit.objects.count() <= 700
    assert {a["role"] for a in first.accounts} == set(Role.values)
    saved = json.loads((tmp_path / "demo-accounts.json").read_text(encoding="utf-8"))
    for account in saved["accounts"]:
        user = User.objects.get(username=account["username"])
        assert user.check_password(account["password"])
    table = demo_accounts_table()
    assert any(line.startswith("office") for line in table)
    from shidian.apps.cases.models import Case
    from shidian.apps.cases.selectors import search

    assert Case.objects.count() == 3 and "typical cases" in first.summary
    school = User.objects.get(username="school")
    assert search(school, "课堂").total == 3 and search(school, "作业").total >= 1
    from shidian.apps.evaluation.selectors import programme_rounds
    from shidian.apps.programmes.models import Programme

    office = User.objects.get(username="office")
    programme = Programme.objects.get()
    assert len(programme_rounds(user=office, programme=programme)) >= 4
    assert "4 years of history" in first.summary

    again = load_demo(seed=2021)
    assert not again.created
    assert OrgUnit.objects.count() == len(set(OrgUnit.objects.values_list("code", flat=True)))
