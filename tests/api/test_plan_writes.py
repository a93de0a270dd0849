"""Writes of creation plans through the API (plans:write): the office opens a round, the
school saves, attaches and submits its plan, the office returns or approves it, the school
starts a revision and records progress; each under the plan's If-Match, through the pages'
services, refusing with nothing written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shidian.apps.evidence.models import Evidence
from shidian.apps.plans.models import Plan, PlanFiling, PlanVersion, TaskUpdate
from shidian.apps.submissions.models import Round, Submission
from tests.api.helpers import bearer, call
from tests.plans.factories import GOALS, TASKS, approved_plan, filed_plan, plan_of, plan_round

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 plan"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _url(name: str, plan: Plan) -> str:
    return reverse(f"api-v1:{name}", kwargs={"plan_id": plan.pk})


def _etag(client, headers, plan: Plan) -> str:
    got = client.get(_url("plan", plan), **headers)
    assert got.status_code == 200, got.content
    return got.headers["ETag"]


def _state(plan: Plan) -> list:
    """Everything a plan write may change (compared before and after a refusal)."""
    subs = Submission.objects.filter(plan_filing__plan=plan)  # scoping: ok test
    return [
        list(subs.order_by("pk").values("pk", "status", "version", "answers", "return_note")),
        PlanFiling.objects.filter(plan=plan).count(),  # scoping: ok test
        PlanVersion.objects.filter(plan=plan).count(),  # scoping: ok test
        TaskUpdate.objects.filter(plan=plan).count(),  # scoping: ok test
        Evidence.objects.filter(submission__in=subs).count(),  # scoping: ok test
        Plan.objects.values_list("updated_at", flat=True).get(pk=plan.pk),  # scoping: ok test
    ]


def _upload(client, url, headers, etag=None, *, name="plan.pdf", data=PDF, **fields):
    extra = dict(headers)
    if etag is not None:
        extra["HTTP_IF_MATCH"] = etag
    return client.post(url, {**fields, "file": SimpleUploadedFile(name, data)}, **extra)


@pytest.fixture
def people(tree):
    w = plan_round(tree)
    return {
        "world": w,
        "plan": plan_of(w, tree.school),
        "school": bearer(w.coordinators[tree.school.pk]),
        "office": bearer(w.office),
    }


def test_the_whole_flow_through_the_api(client, tree, people):
    plan, school, office = people["plan"], people["school"], people["office"]
    etag = _etag(client, school, plan)

    saved = call(client, "patch", _url("plan_save", plan), school,
                 {"goals": GOALS, "tasks": TASKS}, etag=etag)  # fmt: skip
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["status"] == "draft"
    assert [t["code"] for t in body["filed"]["tasks"]] == ["T1", "T2"]
    assert saved.headers["ETag"] != etag

    # A table left out stays as filed.
    fewer = call(client, "patch", _url("plan_save", plan), school,
                 {"tasks": TASKS[:1]}, etag=saved.headers["ETag"])  # fmt: skip
    assert fewer.status_code == 200, fewer.content
    assert [g["code"] for g in fewer.json()["filed"]["goals"]] == ["G1"]
    assert len(fewer.json()["filed"]["tasks"]) == 1

    attached = _upload(client, _url("plan_attach", plan), school, fewer.headers["ETag"])
    assert attached.status_code == 201, attached.content
    assert attached.json()["filename"] == "plan.pdf"
    got = client.get(_url("plan", plan), **school)
    assert got.headers["ETag"] == attached.headers["ETag"]
    assert [f["filename"] for f in got.json()["filed"]["attachments"]] == ["plan.pdf"]

    done = call(client, "post", _url("plan_submit", plan), school, etag=got.headers["ETag"])
    assert done.status_code == 200 and done.json()["status"] == "submitted"

    back = call(client, "post", _url("plan_return", plan), office,
                {"note": "请补充任务。"}, etag=done.headers["ETag"])  # fmt: skip
    assert back.status_code == 200, back.content
    assert back.json()["status"] == "returned"
    assert back.json()["filed"]["return_note"] == "请补充任务。"

    again = call(client, "patch", _url("plan_save", plan), school, {"tasks": TASKS},
                 etag=back.headers["ETag"])  # fmt: skip
    again = call(client, "post", _url("plan_submit", plan), school, etag=again.headers["ETag"])
    assert again.json()["status"] == "resubmitted"

    approved = call(client, "post", _url("plan_approve", plan), office,
                    {"weighting": "count"}, etag=again.headers["ETag"])  # fmt: skip
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "accepted"
    version = PlanVersion.objects.get(plan=plan)  # scoping: ok test
    assert version.weighting == "count" and version.tasks.count() == 2

    revised = call(client, "post", _url("plan_revision_start", plan), school,
                   etag=approved.headers["ETag"])  # fmt: skip
    assert revised.status_code == 200, revised.content
    assert revised.json()["filing"] == 2 and revised.json()["status"] == "draft"
    assert [t["code"] for t in revised.json()["filed"]["tasks"]] == ["T1", "T2"]


def test_a_write_needs_the_current_etag(client, tree, people):
    plan, school = people["plan"], people["school"]
    etag = _etag(client, school, plan)
    before = _state(plan)
    url = _url("plan_save", plan)
    missing = call(client, "patch", url, school, {"goals": GOALS})
    assert missing.status_code == 428
    assert missing.json()["code"] == "precondition_required"
    call(client, "patch", url, school, {"goals": GOALS}, etag=etag)
    after_save = _state(plan)
    stale = call(client, "patch", url, school, {"goals": []}, etag=etag)
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    assert _state(plan) == after_save != before


def test_refusals_by_role_scope_and_county(client, tree, people, outsider):
    plan, office = people["plan"], people["office"]
    etag = _etag(client, office, plan)
    before = _state(plan)
    # The office sees the plan but does not fill it.
    refused = call(client, "patch", _url("plan_save", plan), office, {"goals": GOALS}, etag=etag)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    # The school may not approve its own plan (nor anything before it is submitted).
    school = people["school"]
    own = call(client, "post", _url("plan_approve", plan), school, {"weighting": "weight"},
               etag=_etag(client, school, plan))  # fmt: skip
    assert own.status_code == 403
    reader = bearer(people["world"].coordinators[tree.school.pk], ["plans:read"])
    scoped = call(client, "patch", _url("plan_save", plan), reader, {"goals": GOALS}, etag=etag)
    assert scoped.status_code == 403 and scoped.json()["code"] == "scope"
    far = call(client, "patch", _url("plan_save", plan), bearer(outsider), {"goals": GOALS},
               etag=etag)  # fmt: skip
    assert far.status_code == 404
    assert _state(plan) == before


def test_state_refusals_are_409(client, tree):
    w, plan = filed_plan(tree)
    school, office = bearer(w.coordinators[tree.school.pk]), bearer(w.office)
    etag = _etag(client, school, plan)
    before = _state(plan)
    again = call(client, "post", _url("plan_submit", plan), school, etag=etag)
    assert again.status_code == 409 and again.json()["code"] == "not_editable"
    save = call(client, "patch", _url("plan_save", plan), school, {"goals": GOALS}, etag=etag)
    assert save.status_code == 409 and save.json()["code"] == "not_editable"
    revise = call(client, "post", _url("plan_revision_start", plan), school, etag=etag)
    assert revise.status_code == 409 and revise.json()["code"] == "not_allowed"
    assert "只有已批准" in revise.json()["message"]
    progress = call(client, "post", _url("plan_goal_update", plan), school,
                    {"goal_code": "G1", "value": 50}, etag=etag)  # fmt: skip
    assert progress.status_code == 409 and progress.json()["code"] == "not_allowed"
    assert _state(plan) == before
    # The office may not approve a draft: another plan, not yet submitted.
    other = plan_of(w, tree.school2)
    other_before = _state(other)
    draft = call(client, "post", _url("plan_approve", other), office, {"weighting": "weight"},
                 etag=_etag(client, office, other))  # fmt: skip
    assert draft.status_code == 409 and draft.json()["code"] == "not_submitted"
    assert _state(other) == other_before


def test_input_refusals_are_422_with_the_pages_messages(client, tree):
    w, plan = filed_plan(tree)
    office = bearer(w.office)
    etag = _etag(client, office, plan)
    before = _state(plan)
    no_note = call(client, "post", _url("plan_return", plan), office, {"note": " "}, etag=etag)
    assert no_note.status_code == 422 and no_note.json()["code"] == "reason_required"
    assert "修改意见" in no_note.json()["message"]
    no_weighting = call(client, "post", _url("plan_approve", plan), office, {}, etag=etag)
    assert no_weighting.status_code == 422 and "计算方式" in no_weighting.json()["message"]
    english = call(client, "post", _url("plan_return", plan), office, {"note": ""}, etag=etag,
                   lang="en")  # fmt: skip
    assert english.status_code == 422 and "what to change" in english.json()["message"].lower()
    assert _state(plan) == before


def test_bad_rows_and_files_change_nothing(client, tree, people):
    plan, school = people["plan"], people["school"]
    etag = _etag(client, school, plan)
    before = _state(plan)
    bad = [{**TASKS[0], "due_on": "2026-01-01"}]  # before its start
    rows = call(client, "patch", _url("plan_save", plan), school, {"tasks": bad}, etag=etag)
    assert rows.status_code == 422 and rows.json()["code"] == "invalid_answers"
    assert "任务第 1 行" in rows.json()["message"]
    unknown = call(client, "patch", _url("plan_save", plan), school, {"nope": []}, etag=etag)
    assert unknown.status_code == 422
    exe = _upload(client, _url("plan_attach", plan), school, etag, name="plan.exe", data=b"MZ")
    assert exe.status_code == 422 and exe.json()["code"] == "file_type"
    empty = call(client, "post", _url("plan_submit", plan), school, etag=etag)
    assert empty.status_code == 422 and empty.json()["code"] == "incomplete"
    assert _state(plan) == before


def test_progress_on_an_approved_plan(client, tree):
    w, plan = approved_plan(tree)
    school = bearer(w.coordinators[tree.school.pk])
    etag = _etag(client, school, plan)
    before = _state(plan)
    url = _url("plan_task_update", plan)
    no_file = client.post(url, {"task_code": "T1", "status": "done"}, HTTP_IF_MATCH=etag,
                          **school)  # fmt: skip
    assert no_file.status_code == 422 and "佐证材料" in no_file.json()["message"]
    assert _state(plan) == before
    done = client.post(
        url,
        {"task_code": "T1", "status": "done", "note": "已验收",
         "evidence": SimpleUploadedFile("done.pdf", PDF)},
        HTTP_IF_MATCH=etag,
        **school,
    )  # fmt: skip
    assert done.status_code == 200, done.content
    t1 = next(t for t in done.json()["task_list"] if t["code"] == "T1")
    assert t1["status"] == "done"
    goal = call(client, "post", _url("plan_goal_update", plan), school,
                {"goal_code": "G1", "value": "abc"}, etag=done.headers["ETag"])  # fmt: skip
    assert goal.status_code == 422 and "数字" in goal.json()["message"]
    goal = call(client, "post", _url("plan_goal_update", plan), school,
                {"goal_code": "G1", "value": 70}, etag=done.headers["ETag"])  # fmt: skip
    assert goal.status_code == 200, goal.content


def test_the_office_opens_a_round(client, tree):
    from tests.tracking_world import pilot_world

    w = pilot_world(tree)
    url = reverse("api-v1:programme_plan_round_open", kwargs={"programme_id": w.programme.pk})
    office = bearer(w.office)
    rounds = Round.objects.count()  # scoping: ok test
    bad = call(client, "post", url, office, {"batch": 999999, "deadline": "2030-01-01"})
    assert bad.status_code == 422 and bad.json()["details"][0]["loc"] == ["body", "batch"]
    past = call(client, "post", url, office, {"batch": w.batch1.pk, "deadline": "2020-01-01"})
    assert past.status_code == 422 and "截止时间" in past.json()["message"]
    school = bearer(w.coordinators[tree.school.pk])
    denied = call(client, "post", url, school, {"batch": w.batch1.pk, "deadline": "2030-01-01"})
    assert denied.status_code in (403, 404)
    assert Round.objects.count() == rounds  # scoping: ok test
    made = call(client, "post", url, office, {"batch": w.batch1.pk, "deadline": "2030-01-01"})
    assert made.status_code == 201, made.content
    assert made.json()["plans"] == len(w.pilots)
    assert Plan.objects.filter(programme=w.programme).count() == len(w.pilots)  # scoping: ok
