"""Account management: office staff see and manage their subtree only; others may not use it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shidian.apps.accounts.models import User
from shidian.apps.core.models import AuditEvent
from tests.conftest import make_user

MANAGEMENT_PAGES = ["accounts:list", "accounts:invite", "accounts:invitations", "core:audit"]


@pytest.fixture
def people(tree, office_user, zone_user, coordinator, outsider):
    return {"office": office_user, "zone": zone_user, "coord": coordinator, "out": outsider}


@pytest.mark.django_db
def test_office_lists_only_its_subtree(office_client, people):
    body = office_client.get(reverse("accounts:list")).content.decode()
    for username in ("office", "zone", "coord"):
        assert f">{username}<" in body
    assert ">outsider<" not in body
    assert "乙县" not in body


@pytest.mark.django_db
def test_city_office_sees_both_counties(client, city_office, people):
    client.force_login(city_office)
    body = client.get(reverse("accounts:list")).content.decode()
    assert ">outsider<" in body and ">coord<" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params,present,absent",
    [
        ({"q": "李老师"}, ["coord"], ["zone", "office"]),
        ({"role": "zone"}, ["zone"], ["coord", "office"]),
        ({"status": "inactive"}, [], ["coord", "zone", "office"]),
    ],
)
def test_filters(office_client, people, params, present, absent):
    body = office_client.get(reverse("accounts:list"), params).content.decode()
    for name in present:
        assert f">{name}<" in body
    for name in absent:
        assert f">{name}<" not in body


@pytest.mark.django_db
def test_filter_by_unit_takes_its_subtree(office_client, people, tree):
    make_user("county-expert", tree.county, "expert")
    body = office_client.get(reverse("accounts:list"), {"unit": tree.zone.pk}).content.decode()
    assert ">coord<" in body and ">zone<" in body
    assert ">county-expert<" not in body


@pytest.mark.django_db
def test_filter_by_a_unit_outside_scope_is_ignored(office_client, people, tree):
    response = office_client.get(
        reverse("accounts:list"), {"unit": tree.other_county.pk, "role": "zone"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert ">outsider<" not in body
    assert ">zone<" in body and ">coord<" not in body  # the valid filter still applies


@pytest.mark.django_db
def test_htmx_request_gets_the_results_partial(office_client, people):
    response = office_client.get(reverse("accounts:list"), {"role": "zone"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "<html" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("name", MANAGEMENT_PAGES)
@pytest.mark.parametrize("persona", ["coord", "zone"])
def test_other_roles_get_403_on_management_pages(client, people, name, persona):
    client.force_login(people[persona])
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.django_db
def test_coordinator_gets_403_on_an_account_in_its_own_school(client, people, tree):
    colleague = make_user("colleague", tree.school, "coordinator")
    client.force_login(people["coord"])
    assert client.get(reverse("accounts:detail", args=[colleague.pk])).status_code == 403
    response = client.post(reverse("accounts:deactivate", args=[colleague.pk]))
    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.is_active


@pytest.mark.django_db
def test_other_county_office_gets_404(client, other_office, people):
    client.force_login(other_office)
    coord = people["coord"]
    assert client.get(reverse("accounts:detail", args=[coord.pk])).status_code == 404
    assert client.post(reverse("accounts:deactivate", args=[coord.pk])).status_code == 404
    coord.refresh_from_db()
    assert coord.is_active


@pytest.mark.django_db
def test_nav_shows_management_to_office_only(client, people):
    url = f'href="{reverse("accounts:list")}"'
    client.force_login(people["office"])
    assert url in client.get("/").content.decode()
    client.force_login(people["coord"])
    assert url not in client.get("/").content.decode()


@pytest.mark.django_db
def test_office_deactivates_and_reactivates(office_client, people, office_user):
    coord = people["coord"]
    response = office_client.post(reverse("accounts:deactivate", args=[coord.pk]))
    assert response.status_code == 302
    coord.refresh_from_db()
    assert not coord.is_active
    event = AuditEvent.objects.get(action="accounts.deactivate")
    assert event.actor == office_user and event.unit == coord.unit
    assert event.target_id == str(coord.pk)

    office_client.post(reverse("accounts:reactivate", args=[coord.pk]))
    coord.refresh_from_db()
    assert coord.is_active
    assert AuditEvent.objects.filter(action="accounts.reactivate").count() == 1


@pytest.mark.django_db
def test_deactivate_needs_post(office_client, people):
    coord = people["coord"]
    assert office_client.get(reverse("accounts:deactivate", args=[coord.pk])).status_code == 405


@pytest.mark.django_db
def test_cannot_deactivate_oneself(office_client, office_user):
    response = office_client.post(
        reverse("accounts:deactivate", args=[office_user.pk]), follow=True
    )
    office_user.refresh_from_db()
    assert office_user.is_active
    assert "不能停用自己的账号" in response.content.decode()
    assert not AuditEvent.objects.filter(action="accounts.deactivate").exists()


@pytest.mark.django_db
def test_last_office_account_of_a_unit_is_kept(client, city_office, office_user):
    client.force_login(city_office)
    url = reverse("accounts:deactivate", args=[office_user.pk])
    response = client.post(url, follow=True)
    office_user.refresh_from_db()
    assert office_user.is_active
    assert "最后一个启用的项目办公室账号" in response.content.decode()

    make_user("office2", office_user.unit, "office")
    client.post(url)
    office_user.refresh_from_db()
    assert not office_user.is_active


@pytest.mark.django_db
def test_office_cannot_deactivate_a_superuser_in_its_subtree(office_client, tree):
    admin = make_user("admin", tree.school, "", is_superuser=True, is_staff=True)
    office_client.post(reverse("accounts:deactivate", args=[admin.pk]))
    admin.refresh_from_db()
    assert admin.is_active


@pytest.mark.django_db
def test_detail_shows_the_account_and_its_events(office_client, people):
    coord = people["coord"]
    office_client.post(reverse("accounts:deactivate", args=[coord.pk]))
    body = office_client.get(reverse("accounts:detail", args=[coord.pk])).content.decode()
    assert "coord@example.org" in body
    assert "停用账号" in body
    assert reverse("accounts:reactivate", args=[coord.pk]) in body


@pytest.mark.django_db
def test_superuser_manages_everything(client, people):
    admin = User.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    body = client.get(reverse("accounts:list")).content.decode()
    assert ">outsider<" in body and ">coord<" in body


@pytest.mark.django_db
def test_audit_page_lists_the_subtree_only(office_client, other_office, people):
    office_client.post(reverse("accounts:deactivate", args=[people["coord"].pk]))
    other = Client()
    other.force_login(other_office)
    other.post(reverse("accounts:deactivate", args=[people["out"].pk]))
    assert AuditEvent.objects.count() == 2

    body = office_client.get(reverse("core:audit")).content.decode()
    assert "停用账号" in body and "coord" in body
    assert "outsider" not in body and "乙县" not in body
    filtered = office_client.get(reverse("core:audit"), {"action": "accounts.invite"})
    assert "coord" not in filtered.content.decode().split("<h1>", 1)[1]
