from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shidian.apps.api.models import ApiToken
from shidian.apps.api.tokens import CREATE_LIMIT, token_check, token_create, token_revoke
from shidian.apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_token_is_stored_hashed_and_checks(office_user):
    made = token_create(user=office_user, name="sync", scopes=["units:read"], days=30)
    row = ApiToken.objects.get(pk=made.token.pk)
    assert made.plain not in (row.digest, row.prefix)
    assert made.plain.startswith(f"sd_{row.prefix}_")
    assert token_check(made.plain) == row
    assert token_check(made.plain[:-1] + ("x" if made.plain[-1] != "x" else "y")) is None
    assert token_check("nonsense") is None
    assert AuditEvent.objects.filter(action="api.token_create").count() == 1


def test_expired_revoked_and_deactivated_tokens_fail(office_user, coordinator):
    made = token_create(user=office_user, name="a", scopes=["units:read"], days=1)
    later = timezone.now() + datetime.timedelta(days=2)
    assert token_check(made.plain, now=later) is None
    token_revoke(user=office_user, token=made.token)
    assert token_check(made.plain) is None
    other = token_create(user=coordinator, name="b", scopes=["units:read"], days=5)
    coordinator.is_active = False
    coordinator.save()
    assert token_check(other.plain) is None


@pytest.mark.parametrize(
    "name,scopes,days",
    [("", ["units:read"], 30), ("x", [], 30), ("x", ["nope:read"], 30), ("x", ["units:read"], 0)],
)
def test_bad_input_creates_nothing(office_user, name, scopes, days):
    with pytest.raises(ValidationError):
        token_create(user=office_user, name=name, scopes=scopes, days=days)
    assert not ApiToken.objects.exists()


def test_creation_is_rate_limited(office_user):
    for i in range(CREATE_LIMIT):
        token_create(user=office_user, name=f"t{i}", scopes=["units:read"], days=1)
    with pytest.raises(ValidationError):
        token_create(user=office_user, name="one more", scopes=["units:read"], days=1)
    assert ApiToken.objects.count() == CREATE_LIMIT


def test_only_the_owner_revokes(office_user, coordinator, client):
    made = token_create(user=office_user, name="sync", scopes=["units:read"], days=30)
    client.force_login(coordinator)
    url = reverse("api:token_revoke", kwargs={"token_id": made.token.pk})
    assert client.post(url).status_code == 404
    assert token_check(made.plain) is not None
    client.force_login(office_user)
    assert client.post(url).status_code == 302
    assert token_check(made.plain) is None


def test_token_page_shows_the_token_once(office_client):
    url = reverse("api:tokens")
    response = office_client.post(
        url, {"name": "数据中心", "scopes": ["units:read", "programmes:write"], "days": "90"}
    )
    assert response.status_code == 200
    plain = response.context["created"].plain
    assert plain in response.content.decode()
    again = office_client.get(url).content.decode()
    assert plain not in again and "数据中心" in again
    bad = office_client.post(url, {"name": "", "days": "90"})
    assert bad.status_code == 422
    assert ApiToken.objects.count() == 1


def test_scopes_are_a_table_of_areas_that_keeps_a_refused_choice(office_client):
    """One row per area, a read box and, where the API writes the area, a read-and-write box;
    a refused form shows the boxes ticked as they were sent."""
    from shidian.apps.api import scopes

    url = reverse("api:tokens")
    page = office_client.get(url).content.decode()
    for area in scopes.AREAS:
        assert f'id="scope-{area}"' in page, area
        assert f'value="{area}:read"' in page, area
        assert (f'value="{area}:write"' in page) == (area not in scopes.READ_ONLY_AREAS), area
    refused = office_client.post(url, {"name": "", "scopes": ["cases:write"], "days": "90"})
    assert refused.status_code == 422
    body = refused.content.decode()
    assert 'value="cases:write" id="id_scopes_' in body
    ticked = body.split('value="cases:write"', 1)[1].split(">", 1)[0]
    assert "checked" in ticked
    assert "checked" not in body.split('value="cases:read"', 1)[1].split(">", 1)[0]
    assert ApiToken.objects.count() == 0
