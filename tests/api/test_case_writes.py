"""Writes of typical cases through the API (cases:write): the office opens a call, the pilot
school saves and submits its case, the office returns, sends to experts, accepts (publishing
into GET /cases), an expert gives an opinion; each under If-Match, through the pages'
services, refusing with nothing written."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from shidian.apps.cases.models import Case, CaseOpinion
from shidian.apps.submissions.models import Revision, Round, Submission
from tests.api.helpers import bearer
from tests.cases.factories import TEXT, call, coordinator_of, expert, sheet, submitted
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def _url(name: str, pk: int) -> str:
    return reverse(f"api-v1:{name}", kwargs={"case_submission_id": pk})


def _row(pk: int) -> dict:
    return Submission.objects.values().get(pk=pk)  # scoping: ok test


def _get(client, headers, pk):
    got = client.get(_url("case_submission", pk), **headers)
    assert got.status_code == 200, got.content
    return got


def _send(client, method, url, headers, etag=None, body=None, **extra):
    if etag is not None:
        extra["HTTP_IF_MATCH"] = etag
    return getattr(client, method)(
        url, json.dumps(body or {}), content_type="application/json", **headers, **extra
    )


@pytest.fixture
def people(tree):
    w = pilot_world(tree)
    call(tree)
    return {
        "world": w,
        "school": bearer(coordinator_of(tree)),
        "office": bearer(w.office),
        "expert": bearer(expert(tree)),
    }


def test_the_whole_flow_publishes_the_case(client, tree, people):
    s = sheet(tree)
    school, office = people["school"], people["office"]
    got = _get(client, school, s.pk)
    assert got.json()["status"] == "not_opened" and got.headers["ETag"]

    saved = _send(client, "patch", _url("case_submission_save", s.pk), school,
                  got.headers["ETag"], {**TEXT, "subject": "maths"})  # fmt: skip
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["status"] == "draft" and body["answers"]["title"] == TEXT["title"]
    assert saved.headers["ETag"] != got.headers["ETag"]

    # A partial save keeps the other fields; null clears one.
    saved = _send(client, "patch", _url("case_submission_save", s.pk), school,
                  saved.headers["ETag"], {"summary": "新的摘要。", "subject": None})  # fmt: skip
    assert saved.status_code == 200, saved.content
    answers = saved.json()["answers"]
    assert answers["summary"] == "新的摘要。" and "subject" not in answers
    assert answers["body"] == TEXT["body"]

    etag = saved.headers["ETag"]
    done = _send(client, "post", _url("case_submission_submit", s.pk), school, etag)
    assert done.status_code == 200 and done.json()["status"] == "submitted"

    back = _send(client, "post", _url("case_submission_return", s.pk), office,
                 done.headers["ETag"], {"note": "请补充成效数据。"})  # fmt: skip
    assert back.status_code == 200, back.content
    assert back.json()["status"] == "returned" and back.json()["return_note"] == "请补充成效数据。"

    again = _send(client, "patch", _url("case_submission_save", s.pk), school,
                  back.headers["ETag"], {"summary": "补充了成效：课堂参与率提高。"})  # fmt: skip
    again = _send(client, "post", _url("case_submission_submit", s.pk), school,
                  again.headers["ETag"])  # fmt: skip
    assert again.json()["status"] == "resubmitted"

    accepted = _send(client, "post", _url("case_submission_accept", s.pk), office,
                     again.headers["ETag"])  # fmt: skip
    assert accepted.status_code == 200, accepted.content
    case_id = accepted.json()["case"]
    assert accepted.json()["status"] == "accepted" and case_id
    case = Case.objects.get(pk=case_id)  # scoping: ok test
    assert "参与率" in case.summary
    listed = client.get(reverse("api-v1:cases"), **school).json()
    assert case_id in [c["id"] for c in listed["items"]]


def test_office_opens_a_call_with_201_and_etag(client, tree, people):
    w = people["world"]
    url = reverse("api-v1:programme_case_call_open", kwargs={"programme_id": w.programme.pk})
    made = _send(client, "post", url, people["office"], body={"name": "2027年案例征集"})
    assert made.status_code == 201, made.content
    assert made.headers["ETag"]
    found = Round.objects.get(pk=made.json()["id"])  # scoping: ok test
    assert found.kind == "typical_case" and made.json()["submissions"] == len(w.pilots)
    listed = client.get(
        reverse("api-v1:programme_case_calls", kwargs={"programme_id": w.programme.pk}),
        **people["office"],
    ).json()
    assert found.pk in [c["id"] for c in listed["items"]]
    one = client.get(reverse("api-v1:case_call", kwargs={"case_round_id": found.pk}),
                     **people["office"])  # fmt: skip
    assert one.status_code == 200 and one.headers["ETag"] == made.headers["ETag"]


def test_opening_a_call_is_refused_as_on_the_page(client, tree, people, outsider):
    w = people["world"]
    url = reverse("api-v1:programme_case_call_open", kwargs={"programme_id": w.programme.pk})
    before = Round.objects.count()  # scoping: ok test
    # A school does not see the programme's case page: 404, as there.
    assert _send(client, "post", url, people["school"], body={"name": "x"}).status_code == 404
    blank = _send(client, "post", url, people["office"], body={"name": "  "})
    assert blank.status_code == 422 and "请填写征集名称" in blank.json()["message"]
    past = _send(client, "post", url, people["office"], body={"name": "x", "due": "2000-01-01"})
    assert past.status_code == 422 and "截止日期" in past.json()["message"]
    reader = bearer(w.office, ["cases:read"])
    assert _send(client, "post", url, reader, body={"name": "x"}).status_code == 403
    assert _send(client, "post", url, bearer(outsider), body={"name": "x"}).status_code == 404
    assert Round.objects.count() == before  # scoping: ok test


def test_read_only_token_is_refused(client, tree, people):
    s = sheet(tree)
    reader = bearer(coordinator_of(tree), ["cases:read"])
    etag = _get(client, reader, s.pk).headers["ETag"]
    before = _row(s.pk)
    got = _send(client, "patch", _url("case_submission_save", s.pk), reader, etag, TEXT)
    assert got.status_code == 403 and got.json()["code"] == "scope"
    assert _row(s.pk) == before


def test_another_schools_case_is_not_found(client, tree, people):
    other = sheet(tree, tree.school2)
    school = people["school"]
    assert client.get(_url("case_submission", other.pk), **school).status_code == 404
    before = _row(other.pk)
    got = _send(client, "patch", _url("case_submission_save", other.pk), school, "*", TEXT)
    assert got.status_code == 404
    assert _send(client, "post", _url("case_submission_submit", other.pk), school, "*"
                 ).status_code == 404  # fmt: skip
    assert _row(other.pk) == before
    listed = client.get(reverse("api-v1:case_submissions"), **school).json()
    assert [r["id"] for r in listed["items"]] == [sheet(tree).pk]


def test_if_match_missing_428_stale_412(client, tree, people):
    s = sheet(tree)
    school = people["school"]
    old = _get(client, school, s.pk).headers["ETag"]
    _send(client, "patch", _url("case_submission_save", s.pk), school, old, {"title": "第一版"})
    before = _row(s.pk)
    missing = _send(client, "patch", _url("case_submission_save", s.pk), school, None, TEXT)
    assert missing.status_code == 428 and missing.json()["code"] == "precondition_required"
    stale = _send(client, "patch", _url("case_submission_save", s.pk), school, old, TEXT)
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    assert _send(client, "post", _url("case_submission_submit", s.pk), school, old
                 ).status_code == 412  # fmt: skip
    assert _row(s.pk) == before


def test_bad_input_is_422_and_nothing_saved(client, tree, people):
    s = sheet(tree)
    school = people["school"]
    etag = _get(client, school, s.pk).headers["ETag"]
    before = _row(s.pk)
    revisions = Revision.objects.filter(submission=s).count()  # scoping: ok test
    url = _url("case_submission_save", s.pk)
    bad = _send(client, "patch", url, school, etag, {**TEXT, "theme": "nope"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_answers"
    assert "请从列表中选择" in bad.json()["message"]
    long = _send(client, "patch", url, school, etag, {"title": "长" * 101})
    assert long.status_code == 422 and "100" in long.json()["message"]
    extra = _send(client, "patch", url, school, etag, {"colour": "red"})
    assert extra.status_code == 422 and extra.json()["code"] == "invalid"
    # In the caller's language, in the page's words.
    english = _send(client, "patch", url, school, etag, {"theme": "nope"},
                    HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert english.json()["message"] == "Not saved: theme: Choose from the list."
    incomplete = _send(client, "post", _url("case_submission_submit", s.pk), school, etag)
    assert incomplete.status_code == 422 and incomplete.json()["code"] == "incomplete"
    assert "案例标题" in incomplete.json()["message"]
    assert _row(s.pk) == before
    assert Revision.objects.filter(submission=s).count() == revisions  # scoping: ok test


def test_submitted_case_cannot_be_edited_409(client, tree, people):
    s = submitted(tree)
    school = people["school"]
    etag = _get(client, school, s.pk).headers["ETag"]
    before = _row(s.pk)
    got = _send(client, "patch", _url("case_submission_save", s.pk), school, etag, {"title": "改"})
    assert got.status_code == 409 and got.json()["code"] == "not_editable"
    again = _send(client, "post", _url("case_submission_submit", s.pk), school, etag)
    assert again.status_code == 409
    assert _row(s.pk) == before


def test_decisions_need_a_submitted_case_and_a_reason(client, tree, people):
    s = sheet(tree)
    office = people["office"]
    etag = _get(client, office, s.pk).headers["ETag"]
    before = _row(s.pk)
    draft = _send(client, "post", _url("case_submission_accept", s.pk), office, etag)
    assert draft.status_code == 409 and draft.json()["code"] == "not_submitted"
    review = _send(client, "post", _url("case_submission_review", s.pk), office, etag,
                   {"experts": [expert(tree).pk]})  # fmt: skip
    assert review.status_code == 409 and review.json()["code"] == "not_submitted"
    assert _row(s.pk) == before

    s = submitted(tree)
    etag = _get(client, office, s.pk).headers["ETag"]
    before = _row(s.pk)
    no_reason = _send(client, "post", _url("case_submission_return", s.pk), office, etag,
                      {"note": "  "})  # fmt: skip
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    assert "退回须写明理由" in no_reason.json()["message"]
    nobody = _send(client, "post", _url("case_submission_review", s.pk), office, etag,
                   {"experts": [coordinator_of(tree).pk]})  # fmt: skip
    assert nobody.status_code == 422 and "请选择评审专家" in nobody.json()["message"]
    assert _row(s.pk) == before
    assert not Case.objects.exists()  # scoping: ok test


def test_wrong_role_is_403_and_nothing_written(client, tree, people):
    s = sheet(tree)
    office, school = people["office"], people["school"]
    etag = _get(client, office, s.pk).headers["ETag"]
    before = _row(s.pk)
    got = _send(client, "patch", _url("case_submission_save", s.pk), office, etag, TEXT)
    assert got.status_code == 403 and got.json()["code"] == "forbidden"
    assert _row(s.pk) == before

    s = submitted(tree)
    etag = _get(client, school, s.pk).headers["ETag"]
    before = _row(s.pk)
    for name, body in (
        ("case_submission_accept", None),
        ("case_submission_return", {"note": "自己退回"}),
        ("case_submission_review", {"experts": [expert(tree).pk]}),
        ("case_submission_opinion", {"verdict": "recommend"}),
    ):
        got = _send(client, "post", _url(name, s.pk), school, etag, body)
        assert got.status_code == 403, (name, got.content)
    assert _row(s.pk) == before
    assert not Case.objects.exists() and not CaseOpinion.objects.exists()  # scoping: ok test


def test_experts_see_only_what_they_are_sent_and_only_their_own_opinion(client, tree, people):
    from tests.conftest import make_user

    s = submitted(tree)
    office, school = people["office"], people["school"]
    first = expert(tree)
    second = make_user("case-expert-2", tree.county, "expert", full_name="评审专家钱老师")
    first_h, second_h = people["expert"], bearer(second)
    # Not sent yet: the expert finds nothing.
    assert client.get(_url("case_submission", s.pk), **first_h).status_code == 404

    etag = _get(client, office, s.pk).headers["ETag"]
    sent = _send(client, "post", _url("case_submission_review", s.pk), office, etag,
                 {"experts": [first.pk, second.pk]})  # fmt: skip
    assert sent.status_code == 200 and sent.json()["in_review"] is True

    etag = _get(client, first_h, s.pk).headers["ETag"]
    missing = _send(client, "post", _url("case_submission_opinion", s.pk), first_h, etag,
                    {"verdict": "revise"})  # fmt: skip
    assert missing.status_code == 422 and "理由" in missing.json()["message"]
    mine = _send(client, "post", _url("case_submission_opinion", s.pk), first_h, etag,
                 {"verdict": "revise", "comment": "请补充数据。"})  # fmt: skip
    assert mine.status_code == 200, mine.content
    _send(client, "post", _url("case_submission_opinion", s.pk), second_h, etag,
          {"verdict": "recommend"})  # fmt: skip

    seen_first = [o["expert"] for o in _get(client, first_h, s.pk).json()["opinions"]]
    seen_second = [o["expert"] for o in _get(client, second_h, s.pk).json()["opinions"]]
    assert seen_first == ["评审专家赵老师"] and seen_second == ["评审专家钱老师"]
    assert len(_get(client, office, s.pk).json()["opinions"]) == 2
    assert _get(client, school, s.pk).json()["opinions"] == []

    # An expert reviews; accepting stays with the office.
    before = _row(s.pk)
    got = _send(client, "post", _url("case_submission_accept", s.pk), first_h, etag)
    assert got.status_code == 403 and _row(s.pk) == before
    # Experts do not read the library (as on the pages).
    accepted = _send(client, "post", _url("case_submission_accept", s.pk), office, etag)
    assert accepted.status_code == 200
    assert client.get(reverse("api-v1:cases"), **first_h).json()["count"] == 0
