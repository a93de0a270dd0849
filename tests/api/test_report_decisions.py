"""The office's decisions on a periodic report through the API: return (退回, with comments per
field and a note) and accept (通过). The happy path, and each refusal changing nothing: stale
412, missing If-Match 428, read-only scope 403, the school itself 403, another school's or
county's report 404, an unknown field 422, a report not waiting for a decision 409."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.core.models import AuditEvent
from shidian.apps.submissions.models import Revision, Submission
from tests.api.helpers import bearer, call

pytestmark = pytest.mark.django_db

GOOD = {"rooms": 12, "connected": 10, "share": "na", "trained": "是", "level": "顺利"}


def url(sub, action=""):
    name = f"api-v1:report_{action}" if action else "api-v1:report"
    return reverse(name, kwargs={"submission_id": sub.pk})


def snapshot(sub):
    fresh = Submission.objects.get(pk=sub.pk)  # scoping: ok test
    return (
        fresh.status,
        fresh.version,
        fresh.answers,
        fresh.comments,
        fresh.return_note,
        fresh.updated_at,
        Revision.objects.filter(submission=sub).count(),  # scoping: ok test
    )


@pytest.fixture
def world(tree):
    from tests.reports.scoping_filing import report_world

    found = report_world(tree)
    sub = Submission.objects.get(  # scoping: ok test
        round=found.periods["2026-05"].round, unit=tree.school
    )
    return found, sub


def submitted(client, world, tree):
    found, sub = world
    school = bearer(found.pilots.coordinators[tree.school.pk], ["reports:write"])
    etag = client.get(url(sub), **school)["ETag"]
    saved = call(client, "patch", url(sub), school, {"values": GOOD}, etag)
    assert saved.status_code == 200, saved.content
    done = call(client, "post", url(sub, "submit"), school, None, saved["ETag"])
    assert done.status_code == 200 and done.json()["status"] == "submitted", done.content
    return school, done["ETag"]


def test_returned_with_comments_then_resubmitted_and_accepted(client, tree, world):
    found, sub = world
    school, etag = submitted(client, world, tree)
    office = bearer(found.pilots.office, ["reports:write"])
    body = {"comments": {"rooms": "请核对教室数", "level": "  "}, "note": "请三天内修改"}
    returned = call(client, "post", url(sub, "return"), office, body, etag)
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "returned"
    assert returned.json()["comments"] == {"rooms": "请核对教室数"}  # a blank one is dropped
    assert returned.json()["return_note"] == "请三天内修改"
    assert returned["ETag"] != etag
    assert Revision.objects.filter(submission=sub, kind="return").count() == 1  # scoping: ok
    assert AuditEvent.objects.filter(action="reports.report_return").exists()  # scoping: ok test

    # Returned: the unit may change it again and resubmit.
    fixed = call(client, "patch", url(sub), school, {"values": {"rooms": 13}}, returned["ETag"])
    assert fixed.status_code == 200, fixed.content
    again = call(client, "post", url(sub, "submit"), school, None, fixed["ETag"])
    assert again.status_code == 200 and again.json()["status"] == "resubmitted"
    accepted = call(client, "post", url(sub, "accept"), office, None, again["ETag"])
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted" and accepted["ETag"] != again["ETag"]
    assert Revision.objects.filter(submission=sub, kind="accept").count() == 1  # scoping: ok
    # Accepted is final for the unit: no more saves.
    locked = call(client, "patch", url(sub), school, {"values": {"rooms": 1}}, accepted["ETag"])
    assert locked.status_code == 409 and locked.json()["code"] == "not_editable"


def test_accept_straight_after_submit(client, tree, world):
    found, sub = world
    _school, etag = submitted(client, world, tree)
    office = bearer(found.pilots.office, ["reports:write"])
    accepted = call(client, "post", url(sub, "accept"), office, None, etag)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    # Not waiting any more: neither decision again.
    for action in ("accept", "return"):
        got = call(client, "post", url(sub, action), office, {"note": "x"}, accepted["ETag"])
        assert got.status_code == 409 and got.json()["code"] == "not_submitted", action


def test_decision_refusals_change_nothing(client, tree, world, outsider):
    found, sub = world
    school, etag = submitted(client, world, tree)
    office_user = found.pilots.office
    office = bearer(office_user, ["reports:write"])
    before = snapshot(sub)
    body = {"comments": {"rooms": "请核对"}, "note": ""}

    for action in ("return", "accept"):
        assert call(client, "post", url(sub, action), office, body).status_code == 428
        stale = call(client, "post", url(sub, action), office, body, '"old"')
        assert stale.status_code == 412 and stale.json()["code"] == "stale"
        read_only = bearer(office_user, ["reports:read", "campaigns:write"])
        got = call(client, "post", url(sub, action), read_only, body, etag)
        assert got.status_code == 403 and got.json()["code"] == "scope"
        # The unit sees its report but only the office decides.
        got = call(client, "post", url(sub, action), school, body, etag)
        assert got.status_code == 403 and got.json()["code"] == "forbidden"
        for who in (bearer(found.pilots.coordinators[tree.school2.pk]), bearer(outsider)):
            got = call(client, "post", url(sub, action), who, body, "*")
            assert got.status_code == 404 and got.json()["code"] == "not_found"
    unknown = call(client, "post", url(sub, "return"), office, {"comments": {"nope": "x"}}, etag)
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_item"
    bad = call(client, "post", url(sub, "return"), office, {"comments": ["x"]}, etag)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    assert snapshot(sub) == before

    # A draft waits for no decision: 409, in the caller's language.
    draft = Submission.objects.get(  # scoping: ok test
        round=found.periods["2026-06"].round, unit=tree.school
    )
    draft_before = snapshot(draft)
    draft_etag = client.get(url(draft), **office)["ETag"]
    got = call(
        client,
        "post",
        url(draft, "accept"),
        {**office, "HTTP_ACCEPT_LANGUAGE": "en"},
        None,
        draft_etag,
    )
    assert got.status_code == 409 and got.json()["code"] == "not_submitted"
    got = call(client, "post", url(draft, "return"), office, body, draft_etag)
    assert got.status_code == 409 and got.json()["code"] == "not_submitted"
    assert got.json()["message"]
    assert snapshot(draft) == draft_before


def test_decision_routes_are_in_the_openapi_document(client, db):
    paths = client.get(reverse("api-v1:openapi-json")).json()["paths"]
    for action in ("return", "accept"):
        operation = paths[f"/api/v1/report-submissions/{{submission_id}}/{action}"]["post"]
        assert any(p["name"] == "If-Match" for p in operation["parameters"]), action
        assert operation.get("description"), action
