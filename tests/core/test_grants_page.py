"""The grants page: the office lists and revokes the grants of its subtree; nobody else does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.core.access import GrantRole
from shidian.apps.core.models import Grant
from shidian.apps.core.services import grant_give
from tests.campaigns.factories import sheet
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(tree, office_user):
    expert = make_user("page-expert", tree.other_county, "expert", full_name="外县专家")
    return grant_give(
        by=office_user, user=expert, role=GrantRole.EXPERT, target=sheet(tree), note="复评"
    )


def test_office_sees_the_grant_with_its_target_named(office_client, granted):
    body = office_client.get(reverse("core:grants")).content.decode()
    assert "外县专家" in body and "甲县第一小学" in body and "评审专家" in body
    revoked = office_client.get(reverse("core:grants"), {"state": "revoked"}).content.decode()
    assert "外县专家" not in revoked


def test_office_revokes_and_the_expert_loses_access(office_client, granted):
    response = office_client.post(reverse("core:grant_revoke", kwargs={"grant_id": granted.pk}))
    assert response.status_code == 302
    granted.refresh_from_db()
    assert granted.revoked_at is not None
    assert not Grant.objects.active().filter(pk=granted.pk).exists()


def test_other_county_and_the_expert_cannot_revoke(client, tree, granted):
    other = make_user("other-office", tree.other_county, "office")
    client.force_login(other)
    url = reverse("core:grant_revoke", kwargs={"grant_id": granted.pk})
    assert client.post(url).status_code == 404
    assert "外县专家" not in client.get(reverse("core:grants")).content.decode()
    client.force_login(granted.user)
    assert client.get(reverse("core:grants")).status_code == 403
    granted.refresh_from_db()
    assert granted.revoked_at is None


def test_grants_page_in_english(office_client, granted):
    office_client.cookies["shidian_language"] = "en"
    body = office_client.get(reverse("core:grants")).content.decode()
    assert "Grant" in body and "Reviewing expert" in body
