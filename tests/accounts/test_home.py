"""The home page fits the role and shows nothing outside the user's subtree."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import make_user


@pytest.mark.django_db
def test_office_sees_its_county(office_client, tree, coordinator):
    body = office_client.get("/").content.decode()
    assert "甲县" in body
    assert "乙县" not in body
    assert 'class="stat-number">2<' in body  # two schools
    assert "小学" in body and "初中" in body
    assert reverse("accounts:invite") in body
    assert reverse("core:audit") in body


@pytest.mark.django_db
def test_office_sees_recent_audit_events(office_client, coordinator):
    office_client.post(reverse("accounts:deactivate", args=[coordinator.pk]))
    body = office_client.get("/").content.decode()
    assert "停用账号" in body


@pytest.mark.django_db
def test_leading_group_sees_the_county(client, tree):
    client.force_login(make_user("leader", tree.county, "leading_group"))
    body = client.get("/").content.decode()
    assert 'class="stat-number">2<' in body


@pytest.mark.django_db
def test_zone_sees_its_schools(client, zone_user, tree):
    client.force_login(zone_user)
    body = client.get("/").content.decode()
    assert "甲县第一小学" in body and "甲县第二初中" in body
    assert "乙县" not in body
    assert reverse("accounts:invite") not in body


@pytest.mark.django_db
def test_coordinator_sees_only_the_school(coordinator_client, tree):
    body = coordinator_client.get("/").content.decode()
    assert "甲县第一小学" in body
    assert "800" in body  # students
    assert "甲县第二初中" not in body and "乙县" not in body
    assert f'href="{reverse("accounts:list")}"' not in body


@pytest.mark.django_db
def test_community_lead_sees_the_school(client, tree):
    client.force_login(make_user("lead", tree.school2, "community_lead"))
    body = client.get("/").content.decode()
    assert "甲县第二初中" in body and "甲县第一小学" not in body


@pytest.mark.django_db
def test_expert_sees_their_unit(client, tree):
    client.force_login(make_user("exp", tree.county, "expert"))
    body = client.get("/").content.decode()
    assert "甲县" in body and "分配给您的评审任务" in body
    assert reverse("accounts:invite") not in body


@pytest.mark.django_db
def test_user_without_unit(client, tree):
    client.force_login(make_user("lost", None, ""))
    assert "尚未分配单位" in client.get("/").content.decode()


@pytest.mark.django_db
def test_home_in_english(office_client, tree):
    office_client.cookies["shidian_language"] = "en"
    body = office_client.get("/").content.decode()
    assert 'lang="en"' in body
