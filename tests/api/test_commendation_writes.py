"""Writes of commendations through the API (commendations:write): the office creates a list
and nominates, a zone proposes, the office decides on the proposal and submits, the leading
group returns or approves (the notice is generated); each under the list's If-Match, through
the pages' services, refusing with nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.commendations.models import Commendation, CommendationEvent, Nomination
from tests.api.helpers import bearer, call
from tests.commendations.factories import commendation, leader, passed_world, zone_account

pytestmark = pytest.mark.django_db


def _url(name: str, c: Commendation, **kwargs) -> str:
    return reverse(f"api-v1:{name}", kwargs={"commendation_id": c.pk, **kwargs})


def _etag(client, headers, c: Commendation) -> str:
    got = client.get(_url("commendation", c), **headers)
    assert got.status_code == 200, got.content
    return got.headers["ETag"]


def _state(c: Commendation) -> list:
    return [
        Commendation.objects.values("status", "notice_id", "updated_at").get(pk=c.pk),
        list(Nomination.objects.filter(commendation=c).values("status", "decline_note")),
        CommendationEvent.objects.filter(commendation=c).count(),
    ]


UNIT = {"category": "unit", "unit": "A1-1", "reason": "成效突出"}


@pytest.fixture
def people(tree):
    w = passed_world(tree)
    return {
        "world": w,
        "list": commendation(tree),
        "office": bearer(w.office),
        "zone": bearer(zone_account(tree)),
        "leader": bearer(leader(tree)),
    }


def test_the_whole_flow_through_the_api(client, tree, people):
    w, office = people["world"], people["office"]
    url = reverse("api-v1:programme_commendation_create", kwargs={"programme_id": w.programme.pk})
    made = call(client, "post", url, office, {"title": "2028年度表彰"})
    assert made.status_code == 201, made.content
    c = Commendation.objects.get(pk=made.json()["id"])  # scoping: ok test
    assert made.json()["status"] == "draft" and made.headers["ETag"] == _etag(client, office, c)

    added = call(client, "post", _url("commendation_nominate", c), office, UNIT,
                 etag=made.headers["ETag"])  # fmt: skip
    assert added.status_code == 200, added.content
    assert added.json()["included"] == 1 and added.headers["ETag"] != made.headers["ETag"]

    zone = people["zone"]
    proposal = {"category": "team", "unit": "A1-3", "name": "教研组", "reason": "带动片区"}
    proposed = call(client, "post", _url("commendation_nominate", c), zone, proposal,
                    etag=_etag(client, zone, c))  # fmt: skip
    assert proposed.status_code == 200, proposed.content
    [mine] = proposed.json()["nominations"]  # a zone sees its own proposals only
    assert mine["status"] == "proposed" and mine["proposed_by_unit"] == tree.zone.code

    early = call(client, "post", _url("commendation_submit", c), office,
                 etag=_etag(client, office, c))  # fmt: skip
    assert early.status_code == 422 and early.json()["code"] == "incomplete"

    decide = _url("commendation_nomination_decide", c, nomination_id=mine["id"])
    included = call(client, "post", decide, office, {"decision": "include"},
                    etag=_etag(client, office, c))  # fmt: skip
    assert included.status_code == 200, included.content
    assert included.json()["included"] == 2

    sent = call(client, "post", _url("commendation_submit", c), office, {"note": "请审批"},
                etag=included.headers["ETag"])  # fmt: skip
    assert sent.status_code == 200 and sent.json()["status"] == "pending"

    back = call(client, "post", _url("commendation_return", c), people["leader"],
                {"comment": "请补充个人"}, etag=sent.headers["ETag"])  # fmt: skip
    assert back.status_code == 200 and back.json()["status"] == "returned"
    resent = call(client, "post", _url("commendation_submit", c), office,
                  etag=back.headers["ETag"])  # fmt: skip
    approved = call(client, "post", _url("commendation_approve", c), people["leader"],
                    {"comment": "同意"}, etag=resent.headers["ETag"])  # fmt: skip
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved" and approved.json()["notice"]["document"]


def test_etag_scope_county_and_role(client, tree, people, outsider):
    c, office = people["list"], people["office"]
    etag = _etag(client, office, c)
    before = _state(c)
    url = _url("commendation_nominate", c)
    assert call(client, "post", url, office, UNIT).status_code == 428
    call(client, "post", url, office, UNIT, etag=etag)
    after = _state(c)
    stale = call(client, "post", url, office, {**UNIT, "unit": "A1-2"}, etag=etag)
    assert stale.status_code == 412 and _state(c) == after != before
    etag = _etag(client, office, c)
    reader = bearer(people["world"].office, ["commendations:read"])
    assert call(client, "post", url, reader, UNIT, etag=etag).json()["code"] == "scope"
    assert call(client, "post", url, bearer(outsider), UNIT, etag=etag).status_code == 404
    # A zone proposes but does not submit the list.
    submitted = call(client, "post", _url("commendation_submit", c), people["zone"], etag=etag)
    assert submitted.status_code == 403 and submitted.json()["code"] == "forbidden"
    # Nor does the office approve its own list.
    approve = call(client, "post", _url("commendation_approve", c), office, etag=etag)
    assert approve.status_code == 403
    assert _state(c) == after


def test_state_and_input_refusals(client, tree, people):
    c, office, lead = people["list"], people["office"], people["leader"]
    etag = _etag(client, office, c)
    before = _state(c)
    # The form first: no category, a unit outside the programme.
    blank = call(client, "post", _url("commendation_nominate", c), office,
                 {"unit": "B-1", "reason": ""}, etag=etag)  # fmt: skip
    assert blank.status_code == 422 and blank.json()["code"] == "invalid"
    assert {d["loc"][1] for d in blank.json()["details"]} >= {"category", "unit", "reason"}
    failed = call(client, "post", _url("commendation_nominate", c), office,
                  {**UNIT, "unit": "A1-4"}, etag=etag)  # fmt: skip
    assert failed.status_code == 422 and "没有通过验收" in failed.json()["message"]
    early = call(client, "post", _url("commendation_return", c), lead, {"comment": "x"},
                 etag=etag)  # fmt: skip
    assert early.status_code == 409 and early.json()["code"] == "not_allowed"
    assert _state(c) == before

    added = call(client, "post", _url("commendation_nominate", c), office, UNIT, etag=etag)
    sent = call(client, "post", _url("commendation_submit", c), office,
                etag=added.headers["ETag"])  # fmt: skip
    etag = sent.headers["ETag"]
    pending = _state(c)
    late = call(client, "post", _url("commendation_nominate", c), office,
                {**UNIT, "unit": "A1-2"}, etag=etag)  # fmt: skip
    assert late.status_code == 409 and late.json()["code"] == "not_editable"
    no_reason = call(client, "post", _url("commendation_return", c), lead, {"comment": " "},
                     etag=etag)  # fmt: skip
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    english = call(client, "post", _url("commendation_return", c), lead, {}, etag=etag,
                   lang="en")  # fmt: skip
    assert english.status_code == 422 and "comment" in english.json()["message"].lower()
    too_long = call(client, "post", _url("commendation_approve", c), lead,
                    {"comment": "长" * 1001}, etag=etag)  # fmt: skip
    assert too_long.status_code == 422 and too_long.json()["code"] == "invalid"
    assert _state(c) == pending


def test_a_zone_decides_nothing(client, tree, people):
    c, office, zone = people["list"], people["office"], people["zone"]
    proposal = {"category": "team", "unit": "A1-3", "name": "教研组", "reason": "带动片区"}
    proposed = call(client, "post", _url("commendation_nominate", c), zone, proposal,
                    etag=_etag(client, zone, c))  # fmt: skip
    [mine] = proposed.json()["nominations"]
    decide = _url("commendation_nomination_decide", c, nomination_id=mine["id"])
    before = _state(c)
    own = call(client, "post", decide, zone, {"decision": "include"},
               etag=proposed.headers["ETag"])  # fmt: skip
    assert own.status_code == 403
    # Declining a lower office's proposal needs a reason.
    bare = call(client, "post", decide, office, {"decision": "decline"},
                etag=_etag(client, office, c))  # fmt: skip
    assert bare.status_code == 422 and "原因" in bare.json()["message"]
    missing = _url("commendation_nomination_decide", c, nomination_id=999999)
    gone = call(client, "post", missing, office, {"decision": "include"},
                etag=_etag(client, office, c))  # fmt: skip
    assert gone.status_code == 404
    assert _state(c) == before
