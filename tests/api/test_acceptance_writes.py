"""Writes of acceptance through the API (acceptance:write): the pilot school saves its report,
uploads and removes its files and submits; the office returns it with a reason; an expert puts
their scores; the office assigns experts; the leading group confirms. Each under If-Match,
through the pages' services, refusing with nothing written.

The worlds are the acceptance factories' (a fresh open round; the scored round only where the
leading group confirms)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shidian.apps.acceptance.models import Assignment, Verdict
from shidian.apps.evidence.models import Evidence
from shidian.apps.reviews.models import Review
from shidian.apps.submissions.models import Submission
from tests.acceptance.factories import (
    PDF,
    create,
    experts,
    file_report,
    item_scores,
    leader,
    scored_round,
    submission_of,
)
from tests.acceptance.scoping import idle_expert
from tests.api.helpers import bearer, call
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _url(name: str, pk: int, **more) -> str:
    return reverse(f"api-v1:{name}", kwargs={"report_id": pk, **more})


def state(sub) -> tuple:
    fresh = Submission.objects.get(pk=sub.pk)  # scoping: ok test
    files = Evidence.objects.filter(submission=sub).count()  # scoping: ok test
    return fresh.status, fresh.version, fresh.answers, fresh.updated_at, fresh.return_note, files


def scores_of(sub) -> list:
    return list(Review.objects.filter(submission=sub).values())  # scoping: ok test


def upload(client, sub, headers, etag=None, *, code="doc1", name="scan.pdf", data=PDF):
    extra = dict(headers)
    if etag is not None:
        extra["HTTP_IF_MATCH"] = etag
    body = {"code": code, "file": SimpleUploadedFile(name, data)}
    return client.post(_url("acceptance_report_attach", sub.pk), body, **extra)


@pytest.fixture
def world(tree):
    w = pilot_world(tree)
    acceptance = create(tree)
    unit = w.pilots[0]
    return {
        "w": w,
        "acceptance": acceptance,
        "sub": submission_of(acceptance, unit),
        "school": bearer(w.coordinators[unit.pk]),
        "office": bearer(w.office),
    }


def test_school_saves_uploads_removes_and_submits(client, world, outsider):
    sub, school, office = world["sub"], world["school"], world["office"]
    got = client.get(_url("acceptance_report", sub.pk), **school)
    assert got.status_code == 200 and got.json()["status"] == "not_opened"
    assert [d["state"] for d in got.json()["documents"]] == ["pending"] * 3
    etag = got["ETag"]
    listed = client.get(reverse("api-v1:acceptance_reports"), **school).json()
    assert [r["id"] for r in listed["items"]] == [sub.pk]

    body = {
        "summary": "三年创建工作总结。",
        "documents": {"doc2": {"missing": True, "note": "遗失"}},
    }
    before = state(sub)
    assert (
        call(client, "patch", _url("acceptance_report_save", sub.pk), school, body).status_code
        == 428
    )
    stale = call(client, "patch", _url("acceptance_report_save", sub.pk), school, body, '"old"')
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    no_note = {"documents": {"doc2": {"missing": True, "note": " "}}}
    bad = call(client, "patch", _url("acceptance_report_save", sub.pk), school, no_note, etag)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_answers"
    assert "标记为缺失时请说明原因" in bad.json()["message"]
    unknown = {"documents": {"doc9": {"missing": True, "note": "无"}}}
    bad = call(client, "patch", _url("acceptance_report_save", sub.pk), school, unknown, etag)
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_item"
    # The office sees the report but does not fill it.
    office_etag = client.get(_url("acceptance_report", sub.pk), **office)["ETag"]
    denied = call(
        client, "patch", _url("acceptance_report_save", sub.pk), office, body, office_etag
    )
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    hidden = call(
        client, "patch", _url("acceptance_report_save", sub.pk), bearer(outsider), body, etag
    )
    assert hidden.status_code == 404
    assert state(sub) == before

    saved = call(client, "patch", _url("acceptance_report_save", sub.pk), school, body, etag)
    assert saved.status_code == 200, saved.content
    assert saved.json()["summary"] == "三年创建工作总结。" and saved["ETag"] != etag
    assert saved.json()["documents"][1] == {
        "code": "doc2",
        "name": "会议记录",
        "state": "missing",
        "note": "遗失",
    }
    etag = saved["ETag"]

    # Submitting without the files names what is lacking.
    before = state(sub)
    early = call(client, "post", _url("acceptance_report_submit", sub.pk), school, etag=etag)
    assert early.status_code == 422 and early.json()["code"] == "incomplete"
    assert "创建方案" in early.json()["message"] and state(sub) == before

    wrong = upload(client, sub, school, etag, name="scan.pdf", data=b"MZ not a pdf")
    assert wrong.status_code == 422 and wrong.json()["code"] == "file_type"
    nowhere = upload(client, sub, school, etag, code="doc9")
    assert nowhere.status_code == 422 and nowhere.json()["code"] == "unknown_item"
    assert upload(client, sub, office, etag).json()["code"] == "forbidden"
    assert state(sub) == before
    for code in ("summary_file", "doc1", "doc3", "doc3"):
        put = upload(client, sub, school, etag, code=code)
        assert put.status_code == 201, put.content
        assert put.json()["code"] == code and put["ETag"] != etag
        etag = put["ETag"]
    extra = put.json()["id"]
    files = client.get(_url("acceptance_report_files", sub.pk), **school).json()
    assert files["count"] == 4
    got = client.get(_url("acceptance_report_file", sub.pk, acceptance_file_id=extra), **school)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    gone = client.delete(
        _url("acceptance_report_detach", sub.pk, acceptance_file_id=extra),
        HTTP_IF_MATCH=etag,
        **school,
    )
    assert gone.status_code == 204 and gone["ETag"] != etag
    etag = gone["ETag"]

    done = call(client, "post", _url("acceptance_report_submit", sub.pk), school, etag=etag)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "submitted" and done.json()["submitted_at"]
    etag = done["ETag"]
    before = state(sub)
    late = call(client, "patch", _url("acceptance_report_save", sub.pk), school, body, etag)
    assert late.status_code == 409 and late.json()["code"] == "not_editable"
    assert upload(client, sub, school, etag, code="doc2").status_code == 409
    assert state(sub) == before


def test_office_returns_with_a_reason(client, world):
    w, sub, school, office = world["w"], world["sub"], world["school"], world["office"]
    file_report(world["acceptance"], w, w.pilots[0])
    url = _url("acceptance_report_return", sub.pk)
    etag = client.get(_url("acceptance_report", sub.pk), **office)["ETag"]
    before = state(sub)
    denied = call(client, "post", url, school, {"note": "自己退回"}, etag)
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    blank = call(client, "post", url, office, {"note": "  "}, etag)
    assert blank.status_code == 422 and blank.json()["code"] == "reason_required"
    assert blank.json()["message"] == "退回时请写明理由。"
    assert call(client, "post", url, office, {"note": "补充"}).status_code == 428
    assert state(sub) == before

    back = call(client, "post", url, office, {"note": "请补充经费台账。"}, etag)
    assert back.status_code == 200, back.content
    assert back.json()["status"] == "returned" and back.json()["return_note"] == "请补充经费台账。"
    etag = back["ETag"]
    before = state(sub)
    again = call(client, "post", url, office, {"note": "再退"}, etag)
    assert again.status_code == 409 and again.json()["code"] == "not_submitted"
    assert state(sub) == before
    # The school sees the note and may change its report again.
    mine = client.get(_url("acceptance_report", sub.pk), **school)
    assert mine.json()["return_note"] == "请补充经费台账。"
    saved = call(client, "patch", _url("acceptance_report_save", sub.pk), school,
                 {"summary": "补充后的总结。"}, mine["ETag"])  # fmt: skip
    assert saved.status_code == 200 and saved.json()["status"] == "returned"


def test_expert_puts_scores(client, world, tree):
    acceptance, sub, school, office = (world[k] for k in ("acceptance", "sub", "school", "office"))
    expert = bearer(experts(tree)[0])
    url = _url("acceptance_score_put", sub.pk)
    got = client.get(_url("acceptance_score", sub.pk), **expert)
    assert got.status_code == 200 and got.json()["scores"] == {} and got.json()["total"] is None
    assert {v["code"] for v in got.json()["veto_items"]} == {"D6.2.1", "D6.2.2"}
    etag = got["ETag"]
    full = item_scores(acceptance, 1.0)
    body = {"scores": {**full, "D1.1.1": 9}, "vetoes": {"D6.2.1": "否", "D6.2.2": "否"}}

    assert call(client, "put", url, expert, body).status_code == 428
    assert call(client, "put", url, expert, body, '"old"').status_code == 412
    bad = call(client, "put", url, expert, body, etag)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_scores"
    assert "D1.1.1 的得分须在0到2之间" in bad.json()["message"]
    missing = call(client, "put", url, expert, {"scores": {"D1.1.1": 1}}, etag)
    assert missing.status_code == 422 and len(missing.json()["details"]) == 2
    # The office and the school see the report but do not score; an expert off the panel
    # does not see it.
    assert client.get(_url("acceptance_score", sub.pk), **office).status_code == 403
    assert call(client, "put", url, school, body, etag).json()["code"] == "forbidden"
    assert call(client, "put", url, bearer(idle_expert(tree)), body, etag).status_code == 404
    assert scores_of(sub) == []

    draft = call(client, "put", url, expert, {"scores": {"D1.1.1": 1.5}, "draft": True}, etag)
    assert draft.status_code == 200, draft.content
    assert draft.json()["draft"] and draft.json()["scores"] == {"D1.1.1": 1.5}
    assert draft["ETag"] != etag
    assert call(client, "put", url, expert, body, etag).status_code == 412
    body["scores"]["D1.1.1"] = 2
    body["strengths"] = "亮点突出"
    done = call(client, "put", url, expert, body, draft["ETag"])
    assert done.status_code == 200, done.content
    assert done.json()["submitted"] and done.json()["total"] == pytest.approx(106)
    before = scores_of(sub)
    redraft = call(client, "put", url, expert, {**body, "draft": True}, done["ETag"])
    assert redraft.status_code == 409 and redraft.json()["code"] == "not_allowed"
    assert redraft.json()["message"] == "评分已提交，不能再存为草稿；修改后请重新提交。"
    assert scores_of(sub) == before
    # Another expert reads only their own (empty) score: the review stays blind.
    other = client.get(_url("acceptance_score", sub.pk), **bearer(experts(tree)[1]))
    assert other.status_code == 200 and other.json()["scores"] == {}


def test_leading_group_confirms_then_nothing_changes(client, tree):
    acceptance = scored_round(tree)
    w = pilot_world(tree)
    url = reverse("api-v1:acceptance_proposals", kwargs={"acceptance_id": acceptance.pk})
    confirm = reverse("api-v1:acceptance_confirm", kwargs={"acceptance_id": acceptance.pk})
    group, expert = bearer(leader(tree)), bearer(experts(tree)[0])
    got = client.get(url, **group)
    assert got.status_code == 200 and got.json()["status"] == "open"
    proposed = {p["unit"]: p["proposed"] for p in got.json()["pilots"]}
    assert proposed["A1-1"] == "pass" and proposed["A1-5"] == "fail"
    assert client.get(url, **expert).status_code == 403  # blind: no one else's scores
    etag = got["ETag"]
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    decisions = [{"unit": u, "outcome": o} for u, o in proposed.items()]
    office = call(client, "post", confirm, bearer(w.office), {"decisions": decisions}, etag)
    assert office.status_code == 403 and office.json()["code"] == "forbidden"
    changed = [{**d, "outcome": "pass"} if d["unit"] == "A1-3" else d for d in decisions]
    bad = call(client, "post", confirm, group, {"decisions": changed, "due_on": due}, etag)
    assert bad.status_code == 422 and bad.json()["code"] == "refused"
    assert "结论与系统建议不同，请写明理由" in bad.json()["message"]
    assert not Verdict.objects.exists()

    done = call(client, "post", confirm, group, {"decisions": decisions, "due_on": due}, etag)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "confirmed" and Verdict.objects.count() == 6
    assert {p["unit"]: p["outcome"] for p in done.json()["pilots"]} == proposed
    again = call(client, "post", confirm, group, {"decisions": decisions}, done["ETag"])
    assert again.status_code == 409 and again.json()["code"] == "closed"

    # The round is closed: the report and the scores no longer change.
    sub = submission_of(acceptance, w.pilots[5])  # never submitted
    school = bearer(w.coordinators[w.pilots[5].pk])
    etag = client.get(_url("acceptance_report", sub.pk), **school)["ETag"]
    before, reviews = state(sub), scores_of(sub)
    saved = call(client, "patch", _url("acceptance_report_save", sub.pk), school,
                 {"summary": "改"}, etag)  # fmt: skip
    assert saved.status_code == 409 and saved.json()["code"] == "closed"
    assert saved.json()["message"] == "验收结论已确认，不能再修改报送内容。"
    score_etag = client.get(_url("acceptance_score", sub.pk), **expert)["ETag"]
    body = {"scores": item_scores(acceptance, 1.0), "vetoes": {"D6.2.1": "否", "D6.2.2": "否"}}
    url = _url("acceptance_score_put", sub.pk)
    closed = call(client, "put", url, expert, body, score_etag, lang="en")
    assert closed.status_code == 409 and closed.json()["code"] == "closed"
    assert closed.json()["message"] == "The verdicts are confirmed; scores can no longer change."
    assert state(sub) == before and scores_of(sub) == reviews


def pairs_of(acceptance) -> set:
    rows = Assignment.objects.filter(acceptance=acceptance)  # scoping: ok test
    return set(rows.values_list("unit__code", "expert__username", "by_hand"))


def test_office_assigns_experts(client, world, tree):
    acceptance, office = world["acceptance"], world["office"]
    first, second = experts(tree)
    url = reverse("api-v1:acceptance_assignments", kwargs={"acceptance_id": acceptance.pk})
    got = client.get(url, **office)
    assert got.status_code == 200 and got.json()["pairs"] == []
    assert {e["username"] for e in got.json()["panel"]} == {first.username, second.username}
    assert client.get(url, **bearer(first)).status_code == 403  # an expert of the round
    etag = got["ETag"]

    propose = url + "/propose"
    assert call(client, "post", propose, office, {"per_pilot": 1}).status_code == 428
    bad = call(client, "post", propose, office, {"per_pilot": 3}, etag)
    assert bad.status_code == 422 and bad.json()["code"] == "refused"
    assert "专家组只有 2 位专家" in bad.json()["message"] and pairs_of(acceptance) == set()
    done = call(client, "post", propose, office, {"per_pilot": 1}, etag)
    assert done.status_code == 200, done.content
    assert len(done.json()["pairs"]) == 6 and done.json()["per_pilot"] == 1
    assert done["ETag"] != etag
    assert call(client, "post", propose, office, {"per_pilot": 1}, etag).status_code == 412
    etag = done["ETag"]

    pair = {k: done.json()["pairs"][0][k] for k in ("unit", "expert")}
    other = second.pk if pair["expert"] == first.pk else first.pk
    before = pairs_of(acceptance)
    for body in ({"unit": "B-1", "expert": other}, {"unit": pair["unit"], "expert": 999999}):
        nope = call(client, "post", url + "/add", office, body, etag)
        assert nope.status_code == 422 and nope.json()["message"] == "请选择学校和专家。"
    twice = call(client, "post", url + "/add", office, pair, etag)
    assert twice.status_code == 422 and "已分配评" in twice.json()["message"]
    assert pairs_of(acceptance) == before
    added = call(
        client, "post", url + "/add", office, {"unit": pair["unit"], "expert": other}, etag
    )
    assert added.status_code == 200, added.content
    assert len(added.json()["pairs"]) == 7
    removed = call(client, "post", url + "/remove", office, pair, added["ETag"])
    assert removed.status_code == 200 and len(removed.json()["pairs"]) == 6
    assert (pair["unit"], first.username if pair["expert"] == first.pk else second.username,
            False) not in pairs_of(acceptance)  # fmt: skip
