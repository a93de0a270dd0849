"""The community writes: plan an activity, change its host or plan, cancel it, record
attendance; a semester filing submitted, returned and accepted. Each happy path, and each
refusal changing nothing: read-only scope 403, another unit's object 404, stale If-Match 412,
missing If-Match 428, bad input 422, a state that forbids it 409, a role not allowed 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.activities import filings, services
from shidian.apps.activities.models import Activity, Attendance
from shidian.apps.core.models import AuditEvent
from shidian.apps.submissions.models import Submission
from tests.activities.world import activity_world
from tests.api.helpers import bearer, call

pytestmark = pytest.mark.django_db

PLAN = {"goals": "提升课堂质量", "activities": "三次研讨", "division": "牵头校统筹"}


def plan_url(community):
    return reverse("api-v1:activity_plan", kwargs={"community_id": community.pk})


def act_url(activity, action=""):
    names = {"": "activity", "cancel": "activity_cancel", "attendance": "activity_attend"}
    return reverse(f"api-v1:{names[action]}", kwargs={"activity_id": activity.pk})


def filing_url(filing, action=""):
    name = f"api-v1:community_filing_{action}" if action else "api-v1:community_filing"
    return reverse(name, kwargs={"filing_id": filing.pk})


def state(activity):
    """What a refused write must leave as it was."""
    fresh = Activity.objects.get(pk=activity.pk)  # scoping: ok test
    return (
        fresh.status,
        fresh.updated_at,
        fresh.host_unit_id,
        fresh.plan,
        fresh.next_theme,
        Attendance.objects.filter(activity=fresh).count(),  # scoping: ok test
    )


def filing_state(filing):
    fresh = Submission.objects.get(pk=filing.submission_id)  # scoping: ok test
    return fresh.status, fresh.version, fresh.updated_at, fresh.return_note


def count(community):
    return Activity.objects.filter(community=community).count()  # scoping: ok test


def test_plan_update_and_cancel_an_activity(client, tree):
    w, semester, _activity = activity_world(tree)
    office = bearer(w.office, ["communities:write"])
    body = {
        "semester": semester.pk,
        "theme": "同课异构：分数的意义",
        "kind": "same_topic",
        "planned_on": "2027-01-10",
        "host": "A1-3",
        "plan": "上午两节课，下午研讨。",
        "next_theme": "作业设计",
    }
    made = call(client, "post", plan_url(w.first), office, body)
    assert made.status_code == 201, made.content
    got = made.json()
    assert (got["theme"], got["kind"], got["host_unit"], got["status"]) == (
        "同课异构：分数的意义",
        "same_topic",
        "A1-3",
        "planned",
    )
    assert got["plan"] == "上午两节课，下午研讨。" and got["next_theme"] == "作业设计"
    activity = Activity.objects.get(pk=got["id"])  # scoping: ok test
    etag = made["ETag"]
    assert client.get(act_url(activity), **office)["ETag"] == etag

    # The lead changes the host; the new host school then rewrites the plan, keeping the
    # suggestion it did not name.
    lead = bearer(w.lead_user, ["communities:write"])
    moved = call(client, "patch", act_url(activity), lead, {"host": "A1-4"}, etag)
    assert moved.status_code == 200, moved.content
    assert moved.json()["host_unit"] == "A1-4" and moved["ETag"] != etag
    host = bearer(w.coordinators["A1-4"], ["communities:write"])
    replanned = call(client, "patch", act_url(activity), host, {"plan": "改为全天"}, moved["ETag"])
    assert replanned.status_code == 200, replanned.content
    assert replanned.json()["plan"] == "改为全天" and replanned.json()["next_theme"] == "作业设计"

    # The office calls it off with a reason, kept in the audit record; twice is a 409.
    etag = replanned["ETag"]
    gone = call(client, "post", act_url(activity, "cancel"), office, {"reason": "流感停课"}, etag)
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    event = AuditEvent.objects.filter(action="activities.cancel").latest("pk")  # scoping: ok
    assert event.data == {"reason": "流感停课"}
    before = state(activity)
    again = call(client, "post", act_url(activity, "cancel"), office, {}, gone["ETag"])
    assert again.status_code == 409 and again.json()["code"] == "cancelled"
    member = bearer(w.coordinators["A1-2"], ["communities:write"])
    late = call(client, "post", act_url(activity, "attendance"), member, {"attendees": 5}, "*")
    assert late.status_code == 409 and late.json()["code"] == "cancelled"
    assert late.json()["message"] == "活动已取消，不能登记参加。"
    assert state(activity) == before


def test_plan_refusals_create_nothing(client, tree, outsider):
    w, semester, _activity = activity_world(tree)
    office = bearer(w.office, ["communities:write"])
    good = {"semester": semester.pk, "theme": "研讨", "kind": "seminar", "planned_on": "2026-11-05"}
    before = count(w.first)
    refusals = [
        ({**good, "planned_on": "2027-03-01"}, "refused", "活动日期须在学期之内。"),
        ({**good, "theme": "  "}, "refused", "请填写活动主题。"),
        ({**good, "kind": "party"}, "refused", "请选择活动形式。"),
        ({**good, "host": "A1-6"}, "refused", "承办学校须是本共同体的成员校。"),
        ({**good, "plan": " "}, "refused", "请填写活动方案。"),
        ({**good, "semester": 10**6}, "unknown_semester", "没有这个学期。"),
    ]
    for body, code, message in refusals:
        got = call(client, "post", plan_url(w.first), office, body)
        assert got.status_code == 422, (body, got.content)
        assert (got.json()["code"], got.json()["message"]) == (code, message)
    assert call(client, "post", plan_url(w.first), office, {"theme": 1}).status_code == 422
    # A member school sees the community but does not steer it; read-only tokens write nothing.
    member = call(client, "post", plan_url(w.first), bearer(w.coordinators["A1-2"]), good)
    assert member.status_code == 403 and member.json()["code"] == "forbidden"
    read_only = call(
        client, "post", plan_url(w.first), bearer(w.office, ["communities:read"]), good
    )
    assert read_only.status_code == 403 and read_only.json()["code"] == "scope"
    for who in (w.coordinators["A1-5"], outsider):
        assert call(client, "post", plan_url(w.first), bearer(who), good).status_code == 404
    assert count(w.first) == before


def test_update_refusals_change_nothing(client, tree, outsider):
    w, _semester, activity = activity_world(tree)
    lead = bearer(w.lead_user, ["communities:write"])
    etag = client.get(act_url(activity), **lead)["ETag"]
    before = state(activity)
    url = act_url(activity)
    assert call(client, "patch", url, lead, {"host": "A1-2"}).status_code == 428
    stale = call(client, "patch", url, lead, {"host": "A1-2"}, '"0000"')
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    for body, message in (
        ({"host": "A1-7"}, "承办学校须是本共同体的成员校。"),
        ({"host": None}, "承办学校须是本共同体的成员校。"),
        ({"plan": "  "}, "请填写活动方案。"),
        ({"next_theme": "下一次"}, "请填写活动方案。"),  # the suggestions come with a plan
        ({"plan": "方案", "next_host": "A1-8"}, "承办学校须是本共同体的成员校。"),
    ):
        got = call(client, "patch", url, lead, body, etag)
        assert got.status_code == 422 and got.json()["message"] == message, (body, got.content)
    assert call(client, "patch", url, lead, {"next_on": "soon"}, etag).status_code == 422
    # A member school that does not host may neither move nor plan it.
    member = bearer(w.coordinators["A1-3"], ["communities:write"])
    for body in ({"host": "A1-3"}, {"plan": "我们来办"}):
        got = call(client, "patch", url, member, body, etag)
        assert got.status_code == 403 and got.json()["code"] == "forbidden"
    read_only = call(client, "patch", url, bearer(w.lead_user, ["communities:read"]), {}, etag)
    assert read_only.status_code == 403 and read_only.json()["code"] == "scope"
    for who in (w.coordinators["A1-5"], outsider):
        got = call(client, "patch", url, bearer(who), {"host": "A1-2"}, "*")
        assert got.status_code == 404
        assert (
            call(client, "post", act_url(activity, "cancel"), bearer(who), {}, "*").status_code
            == 404
        )
    cancel = call(client, "post", act_url(activity, "cancel"), member, {}, etag)
    assert cancel.status_code == 403
    assert state(activity) == before


def test_attendance_marks_the_activity_held(client, tree):
    w, _semester, activity = activity_world(tree)  # its day (2026-10-15) has come
    member = bearer(w.coordinators["A1-2"], ["communities:write"])
    etag = client.get(act_url(activity), **member)["ETag"]
    url = act_url(activity, "attendance")
    before = state(activity)
    for n in (0, 501):
        got = call(client, "post", url, member, {"attendees": n}, etag)
        assert got.status_code == 422 and got.json()["message"] == "参加人数须在 1 到 500 之间。"
    office = call(client, "post", url, bearer(w.office), {"attendees": 3}, etag)
    assert office.status_code == 403 and office.json()["code"] == "forbidden"
    assert call(client, "post", url, member, {"attendees": 3}).status_code == 428
    assert state(activity) == before

    done = call(client, "post", url, member, {"attendees": 6, "note": "数学组"}, etag)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "held" and done.json()["attended"] == ["A1-2"]
    assert done["ETag"] != etag
    assert call(client, "post", url, member, {"attendees": 7}, etag).status_code == 412
    row = Attendance.objects.get(activity=activity)  # scoping: ok test
    assert (row.attendees, row.note) == (6, "数学组")
    # Held with attendance: it stays part of the record.
    before = state(activity)
    refused = call(client, "post", act_url(activity, "cancel"), bearer(w.office), {}, done["ETag"])
    assert refused.status_code == 409 and refused.json()["code"] == "held"
    assert state(activity) == before


def test_another_schools_attendance_moves_the_activity_etag(client, tree):
    """Attendance is part of the activity: once it is held (its status no longer changes),
    a second school's record still gives a new ETag, so a client holding the old one is
    told (412) instead of acting on an activity it has not seen."""
    w, _semester, activity = activity_world(tree)
    first, second = w.coordinators["A1-2"], w.lead_user
    url = act_url(activity, "attendance")
    etag = client.get(act_url(activity), **bearer(first))["ETag"]
    held = call(client, "post", url, bearer(first), {"attendees": 4}, etag)
    assert held.status_code == 200 and held.json()["status"] == "held", held.content
    office = bearer(w.office, ["communities:write"])
    old = client.get(act_url(activity), **office)["ETag"]
    assert old == held["ETag"]

    fresh = Activity.objects.get(pk=activity.pk)  # scoping: ok test
    services.attendance_record(by=second, activity=fresh, attendees=9)
    new = client.get(act_url(activity), **office)
    assert new["ETag"] != old
    stale = call(client, "patch", act_url(activity), office, {"plan": "新的安排"}, old)
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    fresh_write = call(
        client, "patch", act_url(activity), office, {"plan": "新的安排"}, new["ETag"]
    )
    assert fresh_write.status_code == 200, fresh_write.content


def test_community_get_has_an_etag(client, tree):
    w, _semester, _activity = activity_world(tree)
    url = reverse("api-v1:community", kwargs={"community_id": w.first.pk})
    first = client.get(url, **bearer(w.office, ["communities:read"]))
    assert first.status_code == 200 and first["ETag"].startswith('"')


def test_filing_submitted_returned_and_accepted(client, tree, plan_filing):
    w, filing = plan_filing
    lead = bearer(w.lead_user, ["communities:write"])
    office = bearer(w.office, ["communities:write"])
    etag = client.get(filing_url(filing), **lead)["ETag"]
    before = filing_state(filing)
    incomplete = call(client, "post", filing_url(filing, "submit"), lead, {}, etag)
    assert incomplete.status_code == 422 and "本学期目标" in incomplete.json()["message"]
    assert filing_state(filing) == before

    filings.filing_save(filing=filing, user=w.lead_user, answers=PLAN, base_version=0)
    stale = call(client, "post", filing_url(filing, "submit"), lead, {}, etag)
    assert stale.status_code == 412
    etag = client.get(filing_url(filing), **lead)["ETag"]
    sent = call(client, "post", filing_url(filing, "submit"), lead, {}, etag)
    assert sent.status_code == 200 and sent.json()["status"] == "submitted", sent.content
    assert sent.json()["answers"]["goals"] == "提升课堂质量"
    etag = sent["ETag"]
    before = filing_state(filing)
    twice = call(client, "post", filing_url(filing, "submit"), lead, {}, etag)
    assert twice.status_code == 409 and twice.json()["code"] == "not_editable"
    by_lead = call(client, "post", filing_url(filing, "accept"), lead, {}, etag)
    assert by_lead.status_code == 403
    for body in ({}, {"note": "  "}):
        blank = call(client, "post", filing_url(filing, "return"), office, body, etag)
        assert blank.status_code == 422 and blank.json()["code"] == "reason_required"
        assert blank.json()["message"] == "退回时请写明理由。"
    assert call(client, "post", filing_url(filing, "accept"), office, {}).status_code == 428
    read_only = bearer(w.office, ["communities:read"])
    assert (
        call(client, "post", filing_url(filing, "accept"), read_only, {}, etag).status_code == 403
    )
    # Other member schools do not see a plan before it is accepted; nor do outsiders.
    for who in (w.coordinators["A1-2"], w.coordinators["A1-5"]):
        assert (
            call(client, "post", filing_url(filing, "accept"), bearer(who), {}, "*").status_code
            == 404
        )
    assert filing_state(filing) == before

    back = call(client, "post", filing_url(filing, "return"), office, {"note": "分工不明确"}, etag)
    assert back.status_code == 200 and back.json()["status"] == "returned"
    assert back.json()["return_note"] == "分工不明确"
    before = filing_state(filing)
    early = call(client, "post", filing_url(filing, "accept"), office, {}, back["ETag"])
    assert early.status_code == 409 and early.json()["code"] == "not_submitted"
    assert filing_state(filing) == before

    etag = call(client, "post", filing_url(filing, "submit"), lead, {}, back["ETag"])["ETag"]
    done = call(client, "post", filing_url(filing, "accept"), office, {}, etag)
    assert done.status_code == 200 and done.json()["status"] == "accepted"
    member = bearer(w.coordinators["A1-2"], ["communities:read"])
    listed = client.get(reverse("api-v1:community_filings") + "?kind=plan", **member).json()
    assert [f["id"] for f in listed["items"]] == [filing.pk]
