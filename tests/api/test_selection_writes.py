"""The selection write routes: a zone recommends and withdraws (the office on its behalf), the
office submits, the leading group approves or returns, the office starts a matching (202, a run
to poll at /runs/{id}). Each happy path, and each refusal changing nothing: read-only scope
403, another county's selection 404, stale If-Match 412, missing If-Match 428, bad input 422,
a state that forbids it 409, a role that may not 403."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shidian.apps.programmes.models import Participation
from shidian.apps.selection.models import Recommendation, Selection, SelectionVersion
from tests.api.helpers import bearer, call
from tests.conftest import make_user
from tests.selection.factories import world
from tests.selection.test_approval_helpers import leader, member, ready

pytestmark = pytest.mark.django_db

WRITE = ["selection:write"]


def url(selection, name="selection", **kw):
    return reverse(f"api-v1:{name}", kwargs={"selection_id": selection.pk, **kw})


def etag(client, selection, headers):
    got = client.get(url(selection), **headers)
    assert got.status_code == 200, got.content
    return got["ETag"]


def snapshot(selection):
    """What a refused write must leave as it was."""
    fresh = Selection.objects.get(pk=selection.pk)  # scoping: ok test
    recs = Recommendation.objects.filter(selection=selection)  # scoping: ok test
    parts = Participation.objects.filter(programme=selection.programme_id)  # scoping: ok test
    return {
        "status": fresh.status,
        "updated_at": fresh.updated_at,
        "recs": sorted(recs.values_list("unit_id", "reason")),
        "states": sorted(parts.values_list("unit_id", "state")),
        "versions": SelectionVersion.objects.filter(selection=selection).count(),  # scoping: ok
    }


# --- recommendations ------------------------------------------------------------------------


def recommending(tree, office_user, quota=2):
    from shidian.apps.selection.services.recommend import zone_candidates, zone_quotas_set

    w = world(tree, office=office_user, recommend=True)
    zone_quotas_set(by=office_user, selection=w.selection, quotas={tree.zone.pk: quota})
    mine = list(zone_candidates(w.selection, tree.zone)["id"])
    other = next(z for z in w.zones if z.pk != tree.zone.pk)
    theirs = list(zone_candidates(w.selection, other)["id"])
    return w, mine, theirs


def picks(codes, reason="办学条件好"):
    return {"picks": [{"unit": c, "reason": f"{reason}{c}"} for c in codes]}


def test_a_zone_recommends_within_its_quota_and_withdraws(tree, office_user, zone_user, client):
    w, mine, _theirs = recommending(tree, office_user)
    headers = bearer(zone_user, WRITE)
    first = etag(client, w.selection, headers)
    made = call(
        client, "post", url(w.selection, "selection_recommend"), headers, picks(mine[:2]), first
    )
    assert made.status_code == 200, made.content
    assert made.json()["id"] == w.selection.pk and made.json()["status"] == "open"
    assert made["ETag"] != first and made["ETag"] == etag(client, w.selection, headers)
    recs = Recommendation.objects.filter(selection=w.selection)  # scoping: ok test
    assert sorted(r.unit.code for r in recs) == sorted(mine[:2])
    assert {r.zone_id for r in recs} == {tree.zone.pk} and {r.by for r in recs} == {zone_user}
    states = Participation.objects.filter(unit__code__in=mine[:2])  # scoping: ok test
    assert set(states.values_list("state", flat=True)) == {"recommended"}
    listed = client.get(url(w.selection, "selection_recommendations"), **headers).json()
    assert sorted(i["unit"] for i in listed["items"]) == sorted(mine[:2])

    gone = call(
        client,
        "post",
        url(w.selection, "selection_withdraw", unit_code=mine[0]),
        headers,
        etag=made["ETag"],
    )
    assert gone.status_code == 200, gone.content
    assert gone["ETag"] not in (made["ETag"], first)
    left = Recommendation.objects.filter(selection=w.selection)  # scoping: ok test
    assert [r.unit.code for r in left] == [mine[1]]
    assert Participation.objects.get(unit__code=mine[0]).state == "eligible"  # scoping: ok


def test_the_office_recommends_on_a_zones_behalf(tree, office_user, client):
    w, mine, _theirs = recommending(tree, office_user)
    headers = bearer(office_user, WRITE)
    made = call(
        client,
        "post",
        url(w.selection, "selection_recommend"),
        headers,
        picks(mine[:1]),
        etag(client, w.selection, headers),
    )
    assert made.status_code == 200, made.content
    rec = Recommendation.objects.get(selection=w.selection)  # scoping: ok test
    assert (rec.unit.code, rec.zone_id, rec.by) == (mine[0], tree.zone.pk, office_user)


@pytest.mark.parametrize(
    "case, expected",
    [
        ("over_quota", "最多还能推荐 2 所"),
        ("other_zone", "不是本片区已提交自查表的候选学校"),
        ("no_reason", "推荐理由"),
        ("unknown", "不是本片区已提交自查表的候选学校"),
    ],
)
def test_bad_recommendations_are_refused_with_the_pages_words(
    tree, office_user, zone_user, client, case, expected
):
    w, mine, theirs = recommending(tree, office_user)
    body = {
        "over_quota": picks(mine[:3]),
        "other_zone": picks(theirs[:1]),
        "no_reason": {"picks": [{"unit": mine[0], "reason": "  "}]},
        "unknown": picks(["NO-SUCH"]),
    }[case]
    headers = bearer(zone_user, WRITE)
    tag = etag(client, w.selection, headers)
    before = snapshot(w.selection)
    got = call(client, "post", url(w.selection, "selection_recommend"), headers, body, tag)
    assert got.status_code == 422, got.content
    assert got.json()["code"] == "refused" and expected in got.json()["message"]
    assert snapshot(w.selection) == before


def test_refusals_of_recommending_change_nothing(tree, office_user, zone_user, client):
    w, mine, _theirs = recommending(tree, office_user)
    write_headers = bearer(zone_user, WRITE)
    tag = etag(client, w.selection, write_headers)
    target = url(w.selection, "selection_recommend")
    before = snapshot(w.selection)
    # read-only scope
    read_only = call(
        client, "post", target, bearer(zone_user, ["selection:read"]), picks(mine[:1]), tag
    )
    assert read_only.status_code == 403 and read_only.json()["code"] == "scope"
    # missing and stale If-Match
    missing = call(client, "post", target, write_headers, picks(mine[:1]))
    assert missing.status_code == 428 and missing.json()["code"] == "precondition_required"
    stale = call(client, "post", target, write_headers, picks(mine[:1]), '"stale"')
    assert stale.status_code == 412 and stale.json()["details"] == [{"etag": tag}]
    # another county's account does not see the selection
    outsider = make_user("outsider2", tree.other_county, "office")
    hidden = call(client, "post", target, bearer(outsider, WRITE), picks(mine[:1]), tag)
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
    # a leading-group member named on the programme sees it but recommends nothing
    deputy = member(tree, office_user, w.programme)
    boss = call(client, "post", target, bearer(deputy, WRITE), picks(mine[:1]), tag)
    assert boss.status_code == 403 and boss.json()["code"] == "forbidden"
    # a body that is not one
    bad = call(client, "post", target, write_headers, {"picks": []}, tag)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    assert snapshot(w.selection) == before


def test_the_deadline_and_the_frozen_selection_are_409(tree, office_user, zone_user, client):
    w, mine, _theirs = recommending(tree, office_user)
    headers = bearer(zone_user, WRITE)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Selection.objects.filter(pk=w.selection.pk).update(recommend_due=yesterday)  # scoping: ok
    before = snapshot(w.selection)
    late = call(
        client,
        "post",
        url(w.selection, "selection_recommend"),
        headers,
        picks(mine[:1]),
        etag(client, w.selection, headers),
    )
    assert late.status_code == 409 and late.json()["code"] == "late"
    assert "推荐截止日期" in late.json()["message"]
    assert snapshot(w.selection) == before
    Selection.objects.filter(pk=w.selection.pk).update(
        recommend_due=None, status="pending"
    )  # scoping: ok
    before = snapshot(w.selection)
    frozen = call(
        client,
        "post",
        url(w.selection, "selection_recommend"),
        headers,
        picks(mine[:1]),
        etag(client, w.selection, headers),
    )
    assert frozen.status_code == 409 and frozen.json()["code"] == "not_editable"
    assert snapshot(w.selection) == before


def test_withdrawing_what_the_caller_does_not_see_is_404(tree, office_user, zone_user, client):
    w, mine, theirs = recommending(tree, office_user)
    other = next(z for z in w.zones if z.pk != tree.zone.pk)
    from shidian.apps.selection.services.recommend import zone_quotas_set

    zone_quotas_set(by=office_user, selection=w.selection, quotas={other.pk: 1})
    office = bearer(office_user, WRITE)
    made = call(
        client,
        "post",
        url(w.selection, "selection_recommend"),
        office,
        picks(theirs[:1]),
        etag(client, w.selection, office),
    )
    assert made.status_code == 200, made.content
    headers = bearer(zone_user, WRITE)
    before = snapshot(w.selection)
    got = call(
        client,
        "post",
        url(w.selection, "selection_withdraw", unit_code=theirs[0]),
        headers,
        etag=etag(client, w.selection, headers),
    )
    assert got.status_code == 404
    never = call(
        client,
        "post",
        url(w.selection, "selection_withdraw", unit_code=mine[0]),
        headers,
        etag=etag(client, w.selection, headers),
    )
    assert never.status_code == 404
    assert snapshot(w.selection) == before


# --- approval -------------------------------------------------------------------------------


def test_submit_approve_through_the_approval_service(tree, office_user, client):
    from shidian.apps.selection.models import SelectionEvent

    w, rows = ready(tree, office_user)
    office = bearer(office_user, WRITE)
    sent = call(
        client,
        "post",
        url(w.selection, "selection_submit"),
        office,
        {"note": "经专家评审"},
        etag(client, w.selection, office),
    )
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "pending"
    assert sent.json()["history"][-1]["action"] == "submitted"
    boss = leader(tree)
    headers = bearer(boss, WRITE)
    tag = etag(client, w.selection, headers)
    assert tag == sent["ETag"]
    # the office may not approve: 403, nothing written
    before = snapshot(w.selection)
    own = call(client, "post", url(w.selection, "selection_approve"), office, {}, tag)
    assert own.status_code == 403 and own.json()["code"] == "forbidden"
    assert snapshot(w.selection) == before
    done = call(
        client, "post", url(w.selection, "selection_approve"), headers, {"comment": "同意"}, tag
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "approved" and done.json()["approved_version"] == 1
    assert done["ETag"] != tag
    version = SelectionVersion.objects.get(selection=w.selection)  # scoping: ok test
    assert (version.reason, version.approved_by) == ("同意", boss)
    assert Participation.objects.get(unit_id=rows[0]["unit_id"]).state == "pilot"  # scoping: ok
    events = SelectionEvent.objects.filter(selection=w.selection)  # scoping: ok test
    assert list(events.order_by("at", "pk").values_list("action", "by")) == [
        ("submitted", office_user.pk),
        ("approved", boss.pk),
    ]


def test_approving_what_is_not_submitted_is_409(tree, office_user, client):
    w, _rows = ready(tree, office_user)
    headers = bearer(leader(tree), WRITE)
    before = snapshot(w.selection)
    got = call(
        client,
        "post",
        url(w.selection, "selection_approve"),
        headers,
        {},
        etag(client, w.selection, headers),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert got.status_code == 409 and got.json()["code"] == "not_allowed"
    assert got.json()["message"] == "Only a selection waiting for approval can be approved."
    assert snapshot(w.selection) == before


def test_return_needs_a_reason_then_reopens(tree, office_user, client):
    from shidian.apps.selection.services.approval import selection_submit

    w, _rows = ready(tree, office_user)
    selection_submit(by=office_user, selection=w.selection)
    headers = bearer(leader(tree), WRITE)
    tag = etag(client, w.selection, headers)
    before = snapshot(w.selection)
    blank = call(
        client, "post", url(w.selection, "selection_return"), headers, {"reason": " "}, tag
    )
    assert blank.status_code == 422 and blank.json()["code"] == "reason_required"
    assert "退回时请填写意见" in blank.json()["message"]
    assert snapshot(w.selection) == before
    back = call(
        client, "post", url(w.selection, "selection_return"), headers, {"reason": "第三批偏少"}, tag
    )
    assert back.status_code == 200, back.content
    assert back.json()["status"] == "returned"
    assert back.json()["history"][-1] == {
        "action": "returned",
        "comment": "第三批偏少",
        "at": back.json()["history"][-1]["at"],
    }


def test_submit_refusals(tree, office_user, zone_user, client):
    w = world(tree, office=office_user)
    office = bearer(office_user, WRITE)
    tag = etag(client, w.selection, office)
    target = url(w.selection, "selection_submit")
    before = snapshot(w.selection)
    empty = call(client, "post", target, office, {}, tag)
    assert empty.status_code == 422 and empty.json()["code"] == "incomplete"
    assert "还没有安排批次" in empty.json()["message"]
    read_only = call(client, "post", target, bearer(office_user, ["selection:read"]), {}, tag)
    assert read_only.status_code == 403 and read_only.json()["code"] == "scope"
    assert call(client, "post", target, office, {}).status_code == 428
    assert call(client, "post", target, office, {}, '"old"').status_code == 412
    outsider = make_user("outsider3", tree.other_county, "office")
    assert call(client, "post", target, bearer(outsider, WRITE), {}, tag).status_code == 404
    deputy = member(tree, office_user, w.programme)
    assert call(client, "post", target, bearer(deputy, WRITE), {}, tag).status_code == 403
    assert snapshot(w.selection) == before
    Selection.objects.filter(pk=w.selection.pk).update(status="approved")  # scoping: ok test
    before = snapshot(w.selection)
    again = call(client, "post", target, office, {}, etag(client, w.selection, office))
    assert again.status_code == 409 and again.json()["code"] == "not_allowed"
    assert snapshot(w.selection) == before


# --- matching: a Run to poll ----------------------------------------------------------------


def test_matching_starts_a_run_to_poll(tree, office_user, client):
    from shidian.apps.selection.models import MatchRun

    w, _rows = ready(tree, office_user)
    office = bearer(office_user, WRITE)
    got = call(
        client,
        "post",
        url(w.selection, "selection_matching"),
        office,
        {"ratio": 2, "covariates": ["score", "students"]},
        etag(client, w.selection, office),
    )
    assert got.status_code == 202, got.content
    body = got.json()
    match_run = MatchRun.objects.get(selection=w.selection)  # scoping: ok test
    assert (body["run"], body["number"]) == (match_run.run_id, 1)
    assert match_run.params["ratio"] == 2 and match_run.params["method"] == "propensity"
    poll = reverse("api-v1:run", kwargs={"run_id": match_run.run_id})
    assert got["Location"] == body["poll"] == poll
    polled = client.get(poll, **bearer(office_user, ["selection:read"]))
    assert polled.status_code == 200, polled.content
    assert polled.json()["id"] == match_run.run_id
    assert polled.json()["kind"] == "selection.matching"
    # the run is the office's: another county's account does not see it, a token without the
    # selection scope may not read it, and the exchange poll is for imports only
    outsider = make_user("outsider4", tree.other_county, "office")
    assert client.get(poll, **bearer(outsider, ["selection:read"])).status_code == 404
    assert client.get(poll, **bearer(office_user, ["reports:read"])).status_code == 403
    exchange = reverse("api-v1:exchange_run", kwargs={"run_id": match_run.run_id})
    assert client.get(exchange, **office).status_code == 404


def test_matching_refusals_start_nothing(tree, office_user, client):
    from shidian.apps.runs.models import Run
    from shidian.apps.selection.models import MatchRun

    w, _rows = ready(tree, office_user)
    office = bearer(office_user, WRITE)
    tag = etag(client, w.selection, office)
    target = url(w.selection, "selection_matching")
    bad = call(client, "post", target, office, {"ratio": 99, "method": "nearest"}, tag)
    assert bad.status_code == 422 and bad.json()["code"] == "refused"
    assert "匹配方法" in bad.json()["message"] and "1 到 5" in bad.json()["message"]
    read_only = call(client, "post", target, bearer(office_user, ["selection:read"]), {}, tag)
    assert read_only.status_code == 403
    assert call(client, "post", target, office, {}).status_code == 428
    assert call(client, "post", target, office, {}, '"x"').status_code == 412
    deputy = member(tree, office_user, w.programme)
    assert call(client, "post", target, bearer(deputy, WRITE), {}, tag).status_code == 403
    outsider = make_user("outsider5", tree.other_county, "office")
    assert call(client, "post", target, bearer(outsider, WRITE), {}, tag).status_code == 404
    Selection.objects.filter(pk=w.selection.pk).update(status="pending")  # scoping: ok test
    frozen = call(client, "post", target, office, {}, etag(client, w.selection, office))
    assert frozen.status_code == 409 and frozen.json()["code"] == "not_editable"
    assert not MatchRun.objects.filter(selection=w.selection).exists()  # scoping: ok test
    assert not Run.objects.filter(kind="selection.matching").exists()  # scoping: ok test


def test_the_writes_declare_if_match_in_the_openapi_document(client, db):
    paths = client.get(reverse("api-v1:openapi-json")).json()["paths"]
    base = "/api/v1/selections/{selection_id}"
    for path in (
        "/recommendations",
        "/recommendations/{unit_code}/withdraw",
        "/submit",
        "/approve",
        "/return",
        "/matching-runs",
    ):
        operation = paths[base + path]["post"]
        assert any(p["name"] == "If-Match" for p in operation["parameters"]), path
        assert operation.get("description"), path
    assert "get" in paths["/api/v1/runs/{run_id}"]
