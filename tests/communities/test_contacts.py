"""Contact people: the lead school and the office keep the list, members read it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shidian.apps.communities import services
from shidian.apps.communities.models import CommunityContact
from tests.community_world import community_world

pytestmark = pytest.mark.django_db


def _add(client, community, **data):
    return client.post(reverse("communities:contact_add", args=[community.pk]), data)


def test_lead_adds_edits_and_removes_a_contact(client, tree):
    w = community_world(tree)
    client.force_login(w.lead_user)
    page = client.get(reverse("communities:detail", args=[w.first.pk])).content.decode()
    assert f'action="{reverse("communities:contact_add", args=[w.first.pk])}"' in page
    school = w.schools["A1-3"]
    r = _add(client, w.first, unit=school.pk, name="李老师", duty="教务主任", phone="0716-1234567")
    assert r.status_code == 302 and r["Location"].endswith("#cm-contacts")
    contact = CommunityContact.objects.get(community=w.first)  # scoping: ok test
    assert (contact.unit_id, contact.duty) == (school.pk, "教务主任")

    edit = reverse("communities:contact_edit", args=[contact.pk])
    page = client.get(edit).content.decode()
    assert 'value="李老师"' in page and f'action="{edit}"' in page
    r = client.post(edit, {"unit": school.pk, "name": "李明", "email": "li@example.org"})
    assert r.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.email, contact.phone) == ("李明", "li@example.org", "")

    r = client.post(reverse("communities:contact_remove", args=[contact.pk]))
    assert r.status_code == 302
    assert not CommunityContact.objects.filter(pk=contact.pk).exists()  # scoping: ok test


def test_bad_input_is_shown_inline_and_nothing_saved(client, tree):
    w = community_world(tree)
    client.force_login(w.office)
    r = _add(client, w.first, unit=w.schools["A1-2"].pk, name="张三", phone="abc", email="x@")
    assert r.status_code == 400
    page = r.content.decode()
    assert "电话只能包含数字" in page and "邮箱格式不正确" in page
    assert 'value="张三"' in page  # the input is kept
    assert "cm-add" in page and " open" in page
    r = _add(client, w.first, unit=w.schools["A1-2"].pk, name="张三")
    assert "请至少填写电话或邮箱中的一项" in r.content.decode()
    # A school of the other community is not a choice.
    r = _add(client, w.first, unit=w.schools["A1-6"].pk, name="张三", phone="123")
    assert r.status_code == 400
    assert not CommunityContact.objects.exists()  # scoping: ok test


def test_members_read_only_and_outsiders_refused(client, tree):
    w = community_world(tree)
    contact = services.contact_put(
        by=w.office, community=w.first, unit=w.schools["A1-2"], name="王芳", phone="13800000000"
    )
    member = w.coordinators["A1-2"]
    client.force_login(member)
    page = client.get(reverse("communities:detail", args=[w.first.pk])).content.decode()
    assert "王芳" in page and "tel:13800000000" in page
    assert reverse("communities:contact_add", args=[w.first.pk]) not in page
    assert reverse("communities:contact_edit", args=[contact.pk]) not in page
    # A member sees the contact, so it is refused (403), not hidden.
    assert client.get(reverse("communities:contact_edit", args=[contact.pk])).status_code == 403
    r = client.post(reverse("communities:contact_remove", args=[contact.pk]))
    assert r.status_code == 403
    r = _add(client, w.first, unit=w.schools["A1-2"].pk, name="x", phone="1")
    assert r.status_code == 403
    with pytest.raises(PermissionDenied):
        services.contact_remove(by=member, contact=contact)
    # The other community's lead does not even see it.
    client.force_login(w.coordinators["A1-5"])
    assert client.get(reverse("communities:contact_edit", args=[contact.pk])).status_code == 404
    assert CommunityContact.objects.filter(pk=contact.pk).exists()  # scoping: ok test


def test_service_rejects_a_contact_of_another_community(tree):
    w = community_world(tree)
    other = services.contact_put(
        by=w.office, community=w.second, unit=w.schools["A1-6"], name="赵六", phone="1"
    )
    with pytest.raises(ValidationError):
        services.contact_put(
            by=w.office,
            community=w.first,
            unit=w.schools["A1-2"],
            name="x",
            phone="1",
            contact=other,
        )
    other.refresh_from_db()
    assert other.name == "赵六"
