"""The write routes: sheets (save, submit, return, accept), periodic reports (save, submit) and
rectification items (answer, close, reopen). Each happy path, and each refusal changing
nothing: wrong or read-only scope 403, dead token 401, another school's object 404, stale
If-Match 412, missing If-Match 428, bad input 422, a state that forbids it 409."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shidian.apps.api.models import ApiToken
from shidian.apps.api.tokens import token_create, token_revoke
from shidian.apps.submissions.models import Revision, Submission
from tests.api.helpers import bearer, call
from tests.campaigns.factories import full_answers, sheet

pytestmark = pytest.mark.django_db


def snapshot(row):
    """What a refused write must leave as it was."""
    fresh = type(row).objects.get(pk=row.pk)  # scoping: ok test
    fields = ("status", "version", "answers", "comments", "updated_at")
    return {f: getattr(fresh, f) for f in fields if hasattr(fresh, f)}


# sheets -------------------------------------------------------------------------------------


def sheet_url(row, action=""):
    if action:
        return reverse(f"api-v1:sheet_{action}", kwargs={"sheet_id": row.pk})
    return reverse("api-v1:sheet", kwargs={"sheet_id": row.pk})


def items_by_method(row) -> dict:
    found = {}
    for item in row.round.version.as_standard().items():
        found.setdefault(str(item.method), item.code)
    return found


def test_sheet_partial_saves_keep_other_answers(client, tree, coordinator):
    row = sheet(tree)
    codes = items_by_method(row)
    headers = bearer(coordinator, ["campaigns:write"])
    etag = client.get(sheet_url(row), **headers)["ETag"]
    first = call(
        client,
        "patch",
        sheet_url(row),
        headers,
        {"answers": {codes["levels"]: {"value": "a"}}},
        etag,
    )
    assert first.status_code == 200, first.content
    assert first.json()["answers"] == {codes["levels"]: {"value": "A"}}
    assert first.json()["version"] == 1 and first["ETag"] != etag
    ratio = {codes["ratio"]: {"numerator": 9, "denominator": 10}}
    second = call(client, "patch", sheet_url(row), headers, {"answers": ratio}, first["ETag"])
    assert second.status_code == 200, second.content
    assert set(second.json()["answers"]) == {codes["levels"], codes["ratio"]}
    assert second.json()["status"] == "draft" and second.json()["total"] > 0
    cleared = call(
        client,
        "patch",
        sheet_url(row),
        headers,
        {"answers": {codes["levels"]: None}},
        second["ETag"],
    )
    assert set(cleared.json()["answers"]) == {codes["ratio"]}
    assert Revision.objects.filter(submission=row).count() == 3  # one per save


def test_sheet_save_refusals_change_nothing(client, tree, coordinator, office_user):
    row = sheet(tree)
    codes = items_by_method(row)
    url = sheet_url(row)
    body = {"answers": {codes["levels"]: {"value": "A"}}}
    mine = bearer(coordinator, ["campaigns:write"])
    etag = client.get(url, **mine)["ETag"]
    before = snapshot(row)

    assert call(client, "patch", url, mine, body).status_code == 428
    stale = call(client, "patch", url, mine, body, '"old"')
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    read_only = bearer(coordinator, ["campaigns:read"])
    got = call(client, "patch", url, read_only, body, etag)
    assert got.status_code == 403 and got.json()["code"] == "scope"
    other_area = bearer(coordinator, ["reports:write", "rectification:write"])
    assert call(client, "patch", url, other_area, body, etag).status_code == 403
    # Good and bad together: all or nothing, with the page's words.
    mixed = {"answers": {codes["levels"]: {"value": "A"}, codes["ratio"]: {"numerator": "x"}}}
    bad = call(client, "patch", url, mine, mixed, etag)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_answers"
    assert bad.json()["message"].startswith("未保存：") and bad.json()["details"]
    unknown = call(client, "patch", url, mine, {"answers": {"NOPE": {"value": 1}}}, etag)
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_item"
    # The office sees the sheet but only the school fills it.
    office = call(client, "patch", url, bearer(office_user), body, etag)
    assert office.status_code == 403 and office.json()["code"] == "forbidden"
    assert snapshot(row) == before


def test_dead_tokens_and_another_school_get_nothing(client, tree, coordinator):
    row = sheet(tree)
    url = sheet_url(row)
    headers = bearer(coordinator, ["campaigns:write"])
    etag = client.get(url, **headers)["ETag"]
    before = snapshot(row)
    body = {"answers": {items_by_method(row)["levels"]: {"value": "A"}}}

    expired = token_create(user=coordinator, name="old", scopes=["campaigns:write"], days=1)
    ApiToken.objects.filter(pk=expired.token.pk).update(  # scoping: ok test
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    revoked = token_create(user=coordinator, name="gone", scopes=["campaigns:write"], days=1)
    token_revoke(user=coordinator, token=revoked.token)
    for made in (expired, revoked):
        dead = {"HTTP_AUTHORIZATION": f"Bearer {made.plain}"}
        got = call(client, "patch", url, dead, body, etag)
        assert got.status_code == 401 and got.json()["code"] == "unauthenticated"
        assert call(client, "post", sheet_url(row, "submit"), dead, None, etag).status_code == 401

    other = sheet(tree, unit=tree.school2)
    other_before = snapshot(other)
    for action in ("", "submit", "return", "accept"):
        method = "patch" if not action else "post"
        got = call(client, method, sheet_url(other, action), headers, body, "*")
        assert got.status_code == 404 and got.json()["code"] == "not_found", action
    assert snapshot(row) == before and snapshot(other) == other_before


def _submitted_sheet(client, tree, coordinator):
    from shidian.apps.campaigns.models import Evidence

    row = sheet(tree)
    standard = row.round.version.as_standard()
    headers = bearer(coordinator, ["campaigns:write"])
    etag = client.get(sheet_url(row), **headers)["ETag"]
    incomplete = call(client, "post", sheet_url(row, "submit"), headers, None, etag)
    assert incomplete.status_code == 422 and incomplete.json()["code"] == "incomplete"
    assert incomplete.json()["message"].startswith("还不能提交：")
    assert Submission.objects.get(pk=row.pk).status == "not_opened"  # scoping: ok test
    saved = call(
        client, "patch", sheet_url(row), headers, {"answers": full_answers(standard)}, etag
    )
    assert saved.status_code == 200, saved.content
    for item in standard.items():
        if item.evidence_required:
            Evidence.objects.create(
                submission=row,
                item_code=item.code,
                file="x.pdf",
                original_name="x.pdf",
                kind="pdf",
                size=1,
            )
    done = call(client, "post", sheet_url(row, "submit"), headers, None, saved["ETag"])
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "submitted" and done.json()["submitted_at"]
    return row, done["ETag"]


def test_submit_then_locked_then_returned_and_accepted(client, tree, coordinator, office_user):
    row, etag = _submitted_sheet(client, tree, coordinator)
    codes = items_by_method(row)
    school = bearer(coordinator, ["campaigns:write"])
    before = snapshot(row)
    locked = call(
        client,
        "patch",
        sheet_url(row),
        school,
        {"answers": {codes["levels"]: {"value": "B"}}},
        etag,
    )
    assert locked.status_code == 409 and locked.json()["code"] == "not_editable"
    again = call(client, "post", sheet_url(row, "submit"), school, None, etag)
    assert again.status_code == 409 and again.json()["code"] == "not_editable"
    comment = {"comments": {codes["levels"]: "请补充佐证"}, "note": "请一周内修改"}
    by_school = call(client, "post", sheet_url(row, "return"), school, comment, etag)
    assert by_school.status_code == 403 and by_school.json()["code"] == "forbidden"
    office = bearer(office_user, ["campaigns:write"])
    unknown = call(
        client, "post", sheet_url(row, "return"), office, {"comments": {"NOPE": "x"}}, etag
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_item"
    assert snapshot(row) == before

    returned = call(client, "post", sheet_url(row, "return"), office, comment, etag)
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "returned"
    assert returned.json()["comments"] == {codes["levels"]: "请补充佐证"}
    assert returned.json()["return_note"] == "请一周内修改"
    not_waiting = call(client, "post", sheet_url(row, "accept"), office, None, returned["ETag"])
    assert not_waiting.status_code == 409 and not_waiting.json()["code"] == "not_submitted"

    resubmitted = call(client, "post", sheet_url(row, "submit"), school, None, returned["ETag"])
    assert resubmitted.json()["status"] == "resubmitted"
    accepted = call(client, "post", sheet_url(row, "accept"), office, None, resubmitted["ETag"])
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"


# periodic reports ---------------------------------------------------------------------------

GOOD = {"rooms": 12, "connected": 10, "share": "na", "trained": "是", "level": "顺利"}


@pytest.fixture
def reports(tree):
    from tests.reports.scoping_filing import report_world

    world = report_world(tree)
    sub = Submission.objects.get(  # scoping: ok test
        round=world.periods["2026-05"].round, unit=tree.school
    )
    return world, sub


def report_url(sub, action=""):
    name = f"api-v1:report_{action}" if action else "api-v1:report"
    return reverse(name, kwargs={"submission_id": sub.pk})


def test_report_values_saved_and_submitted(client, tree, reports):
    from shidian.apps.reports.models import ReportValue

    world, sub = reports
    school = bearer(world.pilots.coordinators[tree.school.pk], ["reports:write"])
    listed = client.get(reverse("api-v1:report_submissions") + "?period=2026-05", **school)
    assert [r["id"] for r in listed.json()["items"]] == [sub.pk]
    etag = client.get(report_url(sub), **school)["ETag"]
    saved = call(client, "patch", report_url(sub), school, {"values": {"rooms": 12}}, etag)
    assert saved.status_code == 200, saved.content
    assert saved.json()["values"] == {"rooms": 12.0} and saved.json()["status"] == "draft"
    rule = {**GOOD, "connected": 30}
    saved = call(client, "patch", report_url(sub), school, {"values": rule}, saved["ETag"])
    assert saved.status_code == 200, saved.content
    failing = call(client, "post", report_url(sub, "submit"), school, None, saved["ETag"])
    assert failing.status_code == 422 and failing.json()["code"] == "incomplete"
    assert not ReportValue.objects.filter(submission=sub).exists()  # scoping: ok test
    fixed = call(
        client, "patch", report_url(sub), school, {"values": {"connected": 3}}, saved["ETag"]
    )
    done = call(client, "post", report_url(sub, "submit"), school, None, fixed["ETag"])
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    assert ReportValue.objects.filter(submission=sub).count() == 5  # scoping: ok test
    values = client.get(reverse("api-v1:report_values") + "?period=2026-05", **school).json()
    assert {v["field"] for v in values["items"]} >= {"rooms", "connected"}
    locked = call(client, "patch", report_url(sub), school, {"values": {"rooms": 1}}, done["ETag"])
    assert locked.status_code == 409 and locked.json()["code"] == "not_editable"
    # The refusal names the unit's report in general words, not a self-assessment sheet.
    assert "自查表" not in locked.json()["message"]


def test_report_refusals_change_nothing(client, tree, reports, outsider):
    from shidian.apps.reports.models import ReportField

    world, sub = reports
    ReportField.objects.create(
        form=world.form, code="photo", label="活动照片", type="file", order=9
    )
    coord = world.pilots.coordinators[tree.school.pk]
    school = bearer(coord, ["reports:write"])
    etag = client.get(report_url(sub), **school)["ETag"]
    before = snapshot(sub)

    bad = call(client, "patch", report_url(sub), school, {"values": {**GOOD, "rooms": -3}}, etag)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_values"
    assert "不能小于" in bad.json()["message"]
    na = call(client, "patch", report_url(sub), school, {"values": {"rooms": "na"}}, etag)
    assert na.status_code == 422 and "不适用" in na.json()["message"]
    unknown = call(client, "patch", report_url(sub), school, {"values": {"nope": 1}}, etag)
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_item"
    file = call(client, "patch", report_url(sub), school, {"values": {"photo": "a.pdf"}}, etag)
    assert file.status_code == 422 and file.json()["code"] == "file_field"
    assert (
        call(client, "patch", report_url(sub), school, {"values": {"rooms": 1}}).status_code == 428
    )
    stale = call(client, "patch", report_url(sub), school, {"values": {"rooms": 1}}, '"x"')
    assert stale.status_code == 412
    read_only = bearer(coord, ["reports:read", "campaigns:write"])
    assert (
        call(client, "patch", report_url(sub), read_only, {"values": {}}, etag).status_code == 403
    )
    assert call(client, "post", report_url(sub, "submit"), read_only, None, etag).status_code == 403
    office = bearer(world.pilots.office, ["reports:write"])
    got = call(client, "patch", report_url(sub), office, {"values": {"rooms": 1}}, etag)
    assert got.status_code == 403 and got.json()["code"] == "forbidden"
    neighbour = bearer(world.pilots.coordinators[tree.school2.pk])
    for who in (neighbour, bearer(outsider)):
        assert call(client, "patch", report_url(sub), who, {"values": {}}, "*").status_code == 404
        assert call(client, "post", report_url(sub, "submit"), who, None, "*").status_code == 404
        assert client.get(report_url(sub), **who).status_code == 404
    assert snapshot(sub) == before


# rectification ------------------------------------------------------------------------------


@pytest.fixture
def items(tree):
    from shidian.apps.inspections.services.rectification import rectification_issue
    from tests.tracking_world import pilot_world

    world = pilot_world(tree)
    item = rectification_issue(
        by=world.office,
        unit=tree.school,
        title="更换老化交换机",
        due_on=dt.date(2026, 12, 31),
        programme=world.programme,
    )
    return world, item


def item_url(item, action=""):
    name = f"api-v1:rectification_{action}" if action else "api-v1:rectification_item"
    return reverse(name, kwargs={"rect_item_id": item.pk})


def item_state(item):
    from shidian.apps.inspections.models import RectificationItem

    fresh = RectificationItem.objects.get(pk=item.pk)  # scoping: ok test
    return fresh.status, fresh.updated_at, fresh.answers.count(), fresh.events.count()


def test_rectification_answer_reopen_and_close(client, tree, items):
    world, item = items
    school = bearer(world.coordinators[tree.school.pk], ["rectification:write"])
    office = bearer(world.office, ["rectification:write"])
    etag = client.get(item_url(item), **school)["ETag"]
    answered = call(client, "post", item_url(item, "answer"), school, {"text": "已更换"}, etag)
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == "answered" and answered["ETag"] != etag
    etag = answered["ETag"]
    before = item_state(item)
    for body in ({"reason": " "}, {}):
        no_reason = call(client, "post", item_url(item, "reopen"), office, body, etag)
        assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    by_school = call(client, "post", item_url(item, "close"), school, {"note": ""}, etag)
    assert by_school.status_code == 403 and by_school.json()["code"] == "forbidden"
    again = call(client, "post", item_url(item, "answer"), school, {"text": "再次"}, etag)
    assert again.status_code == 409 and again.json()["code"] == "not_allowed"
    assert item_state(item) == before

    reopened = call(client, "post", item_url(item, "reopen"), office, {"reason": "缺照片"}, etag)
    assert reopened.status_code == 200 and reopened.json()["status"] == "reopened"
    stale = call(client, "post", item_url(item, "answer"), school, {"text": "补"}, etag)
    assert stale.status_code == 412
    etag = reopened["ETag"]
    closing_early = call(client, "post", item_url(item, "close"), office, {}, etag)
    assert closing_early.status_code == 409 and closing_early.json()["code"] == "not_allowed"
    etag = call(client, "post", item_url(item, "answer"), school, {"text": "已补照片"}, etag)[
        "ETag"
    ]
    closed = call(client, "post", item_url(item, "close"), office, {"note": "核验通过"}, etag)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["closed_at"]


def test_rectification_refusals_change_nothing(client, tree, items, outsider):
    from tests.inspections.factories import world as inspection_world

    world, item = items
    coord = world.coordinators[tree.school.pk]
    school = bearer(coord, ["rectification:write"])
    etag = client.get(item_url(item), **school)["ETag"]
    before = item_state(item)
    assert call(client, "post", item_url(item, "answer"), school, {"text": "x"}).status_code == 428
    empty = call(client, "post", item_url(item, "answer"), school, {"text": "  "}, etag)
    assert empty.status_code == 422 and empty.json()["code"] == "refused"
    assert empty.json()["message"] == "请填写整改情况。"
    read_only = bearer(coord, ["rectification:read"])
    got = call(client, "post", item_url(item, "answer"), read_only, {"text": "x"}, etag)
    assert got.status_code == 403 and got.json()["code"] == "scope"
    for who in (bearer(world.coordinators[tree.school2.pk]), bearer(outsider)):
        got = call(client, "post", item_url(item, "answer"), who, {"text": "x"}, "*")
        assert got.status_code == 404
    assert item_state(item) == before

    # An item asking for evidence files is answered on the page, where files are uploaded.
    needs_files = inspection_world(tree).items[0]
    etag = client.get(item_url(needs_files), **school)["ETag"]
    before = item_state(needs_files)
    got = call(client, "post", item_url(needs_files, "answer"), school, {"text": "已整改"}, etag)
    assert got.status_code == 422 and "佐证材料" in got.json()["message"]
    assert item_state(needs_files) == before
