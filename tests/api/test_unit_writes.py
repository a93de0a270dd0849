"""Unit writes (units:write): create under a parent in the caller's subtree, change fields
(a move too). The same checks and words as the units import; each refusal changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.core.models import AuditEvent
from shidian.apps.orgs.models import OrgUnit
from tests.api.helpers import bearer, call

pytestmark = pytest.mark.django_db


def unit_url(code):
    return reverse("api-v1:unit", kwargs={"unit_code": code})


CREATE = "/api/v1/units"  # POST on the list's path


def snapshot():
    """Every unit's row, as a refused write must leave it."""
    return list(OrgUnit.objects.order_by("pk").values())  # scoping: ok test


def test_office_creates_a_school_under_its_zone(client, tree, office_user):
    headers = bearer(office_user, ["units:write"])
    body = {
        "code": "A1-3",
        "name": "甲县第三小学",
        "parent": "A1",
        "level": "school",
        "school_type": "primary",
        "locality": "rural",
        "zone": "A1",
        "students": 320,
        "latitude": 30.5,
        "has_fibre": True,
    }
    got = call(client, "post", CREATE, headers, body)
    assert got.status_code == 201, got.content
    data = got.json()
    assert data["code"] == "A1-3" and data["parent"] == "A1" and data["zone"] == "A1"
    assert data["school_type"] == "primary" and data["students"] == 320
    assert got["ETag"] == client.get(unit_url("A1-3"), **headers)["ETag"]
    made = OrgUnit.objects.get(code="A1-3")  # scoping: ok test
    assert made.is_within(tree.zone) and made.has_fibre is True
    event = AuditEvent.objects.get(action="orgs.create")
    assert event.target_id == str(made.pk) and event.actor == office_user


def test_update_changes_given_fields_and_the_etag(client, tree, office_user):
    headers = bearer(office_user, ["units:write"])
    etag = client.get(unit_url("A1-1"), **headers)["ETag"]
    got = call(
        client, "patch", unit_url("A1-1"), headers, {"name": "甲县实验小学", "students": None}, etag
    )
    assert got.status_code == 200, got.content
    assert got.json()["name"] == "甲县实验小学" and got.json()["students"] is None
    assert got.json()["school_type"] == "primary"  # not given: kept
    assert got["ETag"] != etag
    assert got["ETag"] == client.get(unit_url("A1-1"), **headers)["ETag"]
    event = AuditEvent.objects.get(action="orgs.update")
    assert ["name", "甲县第一小学", "甲县实验小学"] in event.data["changes"]
    # The old ETag is stale now.
    again = call(client, "patch", unit_url("A1-1"), headers, {"name": "x"}, etag)
    assert again.status_code == 412 and again.json()["code"] == "stale"


def test_update_can_move_a_school_within_the_subtree(client, tree, office_user):
    headers = bearer(office_user, ["units:write"])
    etag = client.get(unit_url("A1-2"), **headers)["ETag"]
    got = call(client, "patch", unit_url("A1-2"), headers, {"parent": "A"}, etag)
    assert got.status_code == 200, got.content
    assert got.json()["parent"] == "A"
    assert AuditEvent.objects.filter(action="orgs.move").count() == 1


def test_create_refusals_use_the_import_words_and_write_nothing(client, tree, office_user):
    headers = bearer(office_user, ["units:write"])
    before = snapshot()
    cases = [
        ({"code": "A1-1", "name": "重复", "parent": "A1", "level": "school"}, "已被使用"),
        ({"code": "B-1", "name": "外部", "parent": "A1", "level": "school"}, "权限范围外"),
        ({"code": "N1", "name": "外部", "parent": "B", "level": "school"}, "不在您的权限范围内"),
        ({"code": "N2", "name": "县", "parent": "A1", "level": "county"}, "不能放在层级为"),
        ({"code": "N3", "name": "无层级", "parent": "A1"}, "新单位必须填写层级"),
        (
            {"code": "N4", "name": "坏数", "parent": "A1", "level": "school", "students": -3},
            "不是有效的数字",
        ),
        ({"code": "N 5", "name": "空格", "parent": "A1", "level": "school"}, "含有空格"),
        (
            {"code": "N6", "name": "类型", "parent": "A1", "level": "school", "school_type": "x"},
            "学校类型",
        ),
    ]
    for body, words in cases:
        got = call(client, "post", CREATE, headers, body)
        assert got.status_code == 422, (body, got.content)
        assert got.json()["code"] == "invalid_unit"
        assert words in got.json()["message"] and got.json()["details"], got.json()
    # Not a valid body at all.
    assert call(client, "post", CREATE, headers, {"name": "无代码"}).status_code == 422
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action__startswith="orgs.").exists()


def test_update_refusals_change_nothing(client, tree, office_user, coordinator, outsider):
    headers = bearer(office_user, ["units:write"])
    url = unit_url("A1-1")
    etag = client.get(url, **headers)["ETag"]
    before = snapshot()

    assert call(client, "patch", url, headers, {"name": "x"}).status_code == 428
    assert call(client, "patch", url, headers, {"name": "x"}, '"old"').status_code == 412
    read_only = call(client, "patch", url, bearer(office_user, ["units:read"]), {"name": "x"}, etag)
    assert read_only.status_code == 403 and read_only.json()["code"] == "scope"
    post_read_only = call(
        client,
        "post",
        CREATE,
        bearer(office_user, ["units:read"]),
        {"code": "N9", "name": "n", "parent": "A1", "level": "school"},
    )
    assert post_read_only.status_code == 403
    # Another county's unit: not there for this office.
    other = unit_url("B-1")
    assert call(client, "patch", other, headers, {"name": "x"}, "*").status_code == 404
    # Bad input: the import's reasons.
    cleared = call(client, "patch", url, headers, {"name": None}, etag)
    assert cleared.status_code == 422 and "名称不能清空" in cleared.json()["message"]
    cycle = call(client, "patch", unit_url("A1"), headers, {"parent": "A1-1"}, "*")
    assert cycle.status_code == 422 and "循环" in cycle.json()["message"]
    outside = call(client, "patch", url, headers, {"parent": "B"}, etag)
    assert outside.status_code == 422 and "不在您的权限范围内" in outside.json()["message"]
    own = call(client, "patch", unit_url("A"), headers, {"parent": "B"}, "*")
    assert own.status_code == 422 and "自己单位" in own.json()["message"]
    # A school's coordinator sees its own unit but does not manage units.
    school = bearer(coordinator, ["units:write"])
    school_etag = client.get(url, **school)["ETag"]
    refused = call(client, "patch", url, school, {"name": "x"}, school_etag)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    made = call(
        client,
        "post",
        CREATE,
        school,
        {"code": "N8", "name": "n", "parent": "A1-1", "level": "school"},
    )
    assert made.status_code == 403
    # The other county's school: this school is not there for it.
    assert call(client, "patch", url, bearer(outsider), {"name": "x"}, "*").status_code == 404
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action__startswith="orgs.").exists()


def test_a_teaching_point_may_sit_under_a_school(client, tree, office_user):
    """Units have no state that forbids a write (no 409): what the tree refuses is bad input
    (422, above). A school under a school is the import's rule too (a central school's
    teaching points)."""
    headers = bearer(office_user, ["units:write"])
    body = {"code": "A1-1-x", "name": "下级", "parent": "A1-1", "level": "school"}
    got = call(client, "post", CREATE, headers, body)
    assert got.status_code == 201, got.content
    assert got.json()["parent"] == "A1-1"
