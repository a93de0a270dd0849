"""Writes of inspections through the API: scheduling a visit, its moves, findings on site and
turning a finding into rectification items, with the pages' rules, forms and messages. Every
refusal leaves the rows as they were."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.inspections.models import Finding, InspectionVisit, RectificationItem
from tests.api.helpers import bearer, call
from tests.inspections.factories import world
from tests.inspections.scoping import expert_not_inspector

pytestmark = pytest.mark.django_db
WRITE = ["inspections:write"]


def rows() -> tuple:
    """What a refusal must leave alone: the visits (with their states) and findings and items."""
    return (
        list(InspectionVisit.objects.order_by("pk").values_list("pk", "status", "updated_at")),
        list(Finding.objects.order_by("pk").values_list("pk", "turned_at")),  # scoping: ok test
        RectificationItem.objects.count(),  # scoping: ok test
    )


def url(name: str, **kwargs) -> str:
    return reverse(f"api-v1:{name}", kwargs=kwargs)


def deputy(w, tree):
    """A leading-group member named on the programme: sees its visits, runs none of them."""
    from shidian.apps.core.access import GrantRole
    from shidian.apps.core.services import grant_give
    from tests.conftest import make_user

    user = make_user("deputy", tree.city, "expert")
    grant_give(
        by=w.pw.office, user=user, role=GrantRole.LEADING_GROUP_MEMBER, target=w.pw.programme
    )
    return user


def other_pilot(w, tree):
    """A pilot school the world's visit does not visit."""
    return next(u for u in w.pw.pilots if u.pk not in (tree.school.pk, tree.school2.pk))


# scheduling ---------------------------------------------------------------------------------


def test_office_schedules_a_visit_answered_as_its_get(client, tree):
    w = world(tree)
    office = bearer(w.pw.office, WRITE)
    body = {
        "title": "第二次督查",
        "scheduled_on": "2026-11-03",
        "method": "direct",
        "units": [tree.school.code],
        "inspectors": [w.inspector.username],
    }
    made = call(
        client, "post", url("inspection_visit_create", programme_id=w.pw.programme.pk), office, body
    )
    assert made.status_code == 201, made.content
    got = made.json()
    assert made["Location"] == url("inspection_visit", visit_id=got["id"])
    assert got["status"] == "scheduled" and got["method"] == "direct"
    assert [u["unit"] for u in got["units"]] == [tree.school.code]
    assert [i["name"] for i in got["inspectors"]] == [w.inspector.display_name]
    read = client.get(made["Location"], **office)
    assert read.json() == got and read["ETag"] == made["ETag"]


def test_scheduling_refusals_change_nothing(client, tree, outsider):
    w = world(tree)
    target = url("inspection_visit_create", programme_id=w.pw.programme.pk)
    office = bearer(w.pw.office, WRITE)
    before = rows()
    good = {
        "title": "督查",
        "scheduled_on": "2026-11-03",
        "method": "direct",
        "units": [tree.school.code],
    }

    seer = bearer(deputy(w, tree), WRITE)
    assert call(client, "post", target, seer, good).json()["code"] == "forbidden"
    # A school does not see the programme's inspection pages.
    school = bearer(w.pw.coordinators[tree.school.pk], WRITE)
    assert call(client, "post", target, school, good).status_code == 404
    assert call(client, "post", target, bearer(outsider, WRITE), good).status_code == 404
    read_only = call(client, "post", target, bearer(w.pw.office, ["inspections:read"]), good)
    assert read_only.status_code == 403 and read_only.json()["code"] == "scope"

    # The form's messages, each with its field's label; a code or username the form does not
    # offer is named.
    bad = call(
        client,
        "post",
        target,
        office,
        {"method": "direct", "units": ["B-1"], "inspectors": ["nobody"]},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    message = bad.json()["message"]
    assert "督查名称：" in message and "督查日期：" in message
    assert "B-1" in message and "nobody" in message
    # The service's own: the bottom of a month's table needs the month.
    service = call(client, "post", target, office, {**good, "method": "performance"})
    assert service.status_code == 422
    assert service.json()["message"] == "请按 YYYY-MM 填写通报月份。"
    assert rows() == before


# moves --------------------------------------------------------------------------------------


def test_visit_moves_follow_the_state_rules_under_if_match(client, tree, outsider):
    w = world(tree)
    office = bearer(w.pw.office, WRITE)
    read = client.get(url("inspection_visit", visit_id=w.visit.pk), **office)
    etag = read["ETag"]
    start = url("inspection_visit_start", visit_id=w.visit.pk)
    before = rows()

    assert call(client, "post", start, office).status_code == 428
    assert call(client, "post", start, office, etag='"old"').json()["code"] == "stale"
    inspector = call(client, "post", start, bearer(w.inspector, WRITE), etag=etag)
    assert inspector.status_code == 403 and inspector.json()["code"] == "forbidden"
    assert call(client, "post", start, bearer(outsider, WRITE), etag=etag).status_code == 404
    complete = url("inspection_visit_complete", visit_id=w.visit.pk)
    early = call(client, "post", complete, office, etag=etag)
    assert early.status_code == 409 and early.json()["code"] == "not_allowed"
    assert "已安排" in early.json()["message"]
    assert rows() == before

    started = call(client, "post", start, office, etag=etag)
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "in_progress" and started["ETag"] != etag
    assert started.json()["findings"] == read.json()["findings"]
    done = call(client, "post", complete, office, etag=started["ETag"])
    assert done.json()["status"] == "completed"
    cancel = url("inspection_visit_cancel", visit_id=w.visit.pk)
    late = call(client, "post", cancel, office, etag=done["ETag"], lang="en")
    assert late.status_code == 409 and late.json()["code"] == "not_allowed"
    assert late.json()["message"] == "The visit is “Completed”; that is not possible now."
    assert InspectionVisit.objects.get(pk=w.visit.pk).status == "completed"


# findings -----------------------------------------------------------------------------------


def test_an_inspector_records_a_finding_on_site(client, tree):
    w = world(tree)
    inspector = bearer(w.inspector, WRITE)
    body = {"units": [tree.school2.code], "text": "图书角未开放", "severity": "minor"}
    made = call(client, "post", url("inspection_finding_add", visit_id=w.visit.pk), inspector, body)
    assert made.status_code == 201, made.content
    got = made.json()
    assert made["Location"] == url("inspection_finding", finding_id=got["id"])
    assert got["units"] == [tree.school2.code] and got["severity"] == "minor"
    assert got["needs_action"] is True and got["items"] == []
    assert client.get(made["Location"], **inspector).json() == got


def test_finding_refusals_change_nothing(client, tree):
    w = world(tree)
    target = url("inspection_finding_add", visit_id=w.visit.pk)
    office = bearer(w.pw.office, WRITE)
    before = rows()
    good = {"units": [tree.school.code], "text": "问题"}

    assert (
        call(client, "post", target, bearer(expert_not_inspector(tree), WRITE), good).status_code
        == 404
    )
    # A school does not see the visit (its pages send it to its items).
    school = bearer(w.pw.coordinators[tree.school.pk], WRITE)
    assert call(client, "post", target, school, good).status_code == 404
    seer = call(client, "post", target, bearer(deputy(w, tree), WRITE), good)
    assert seer.status_code == 403 and seer.json()["code"] == "forbidden"

    elsewhere = other_pilot(w, tree).code
    bad = call(client, "post", target, office, {"units": [elsewhere], "severity": "huge"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    message = bad.json()["message"]
    assert "发现的问题：" in message and elsewhere in message and "huge" in message

    InspectionVisit.objects.filter(pk=w.visit.pk).update(status="cancelled")
    before = rows()
    ended = call(client, "post", target, office, good)
    assert ended.status_code == 409 and ended.json()["code"] == "not_allowed"
    assert ended.json()["message"] == "督查已结束，不能再记录发现。"
    assert rows() == before


# turning a finding into items ---------------------------------------------------------------


def test_office_turns_a_finding_into_items(client, tree):
    from shidian.apps.inspections.services.visits import finding_add

    w = world(tree)
    found = finding_add(
        by=w.pw.office, visit=w.visit, text="食堂台账缺失", units=[tree.school, tree.school2]
    )
    target = url("inspection_finding_turn", finding_id=found.pk)
    office = bearer(w.pw.office, WRITE)
    before = rows()

    for who in (w.inspector, w.pw.coordinators[tree.school.pk]):
        refused = call(client, "post", target, bearer(who, WRITE), {"due_on": "2026-12-01"})
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    bad = call(client, "post", target, office, {"title": "长" * 201})
    assert bad.status_code == 422 and "整改期限：" in bad.json()["message"]
    assert rows() == before

    made = call(client, "post", target, office, {"due_on": "2026-12-01"})
    assert made.status_code == 201, made.content
    got = made.json()
    assert made["Location"] == url("inspection_finding", finding_id=found.pk)
    assert [i["unit"] for i in got["items"]] == [tree.school.code, tree.school2.code]
    assert {i["title"] for i in got["items"]} == {"食堂台账缺失"}
    assert [i["id"] for i in got["finding"]["items"]] == [i["id"] for i in got["items"]]
    item = client.get(
        url("rectification_item", rect_item_id=got["items"][0]["id"]),
        **bearer(w.pw.office, ["rectification:read"]),
    )
    assert item.json() == got["items"][0]

    before = rows()
    again = call(client, "post", target, office, {"due_on": "2026-12-01"})
    assert again.status_code == 409 and again.json()["code"] == "not_allowed"
    assert again.json()["message"] == "这条发现已经下达过整改。"
    assert rows() == before
