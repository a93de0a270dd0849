"""The roll-out write routes: the office creates a plan (201), picks its schools, starts the
pairing (202, a run to poll at /runs/{id}, executed inline here), moves a school by hand and
submits; the leading group returns and approves. The happy path, then each refusal changing
nothing: read-only scope 403, another county's plan 404, stale If-Match 412, missing If-Match
428, the forms' and services' input 422, a state that forbids it 409, a role that may not 403.
Three tests on one small world each: the roll-out world is not cheap."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.programmes.models import Participation
from shidian.apps.rollout.models import RolloutEvent, RolloutPlan, RolloutSchool
from tests.api.helpers import bearer, call
from tests.conftest import make_user
from tests.rollout.factories import leader, plan, rollout_world
from tests.runs.helpers import execute
from tests.selection.test_approval_helpers import member

pytestmark = pytest.mark.django_db

WRITE = ["rollout:write"]
NEAR = ["A1-7", "A1-8", "A1-9", "A1-10"]


def url(p, name="rollout"):
    return reverse(f"api-v1:{name}", kwargs={"rollout_id": p if isinstance(p, int) else p.pk})


def etag(client, p, headers):
    got = client.get(url(p), **headers)
    assert got.status_code == 200, got.content
    return got["ETag"]


def snapshot(programme):
    """What a refused write must leave as it was: the programme's plans, their schools and
    history, and the participations approval moves."""
    plans = RolloutPlan.objects.filter(programme=programme)  # scoping: ok test
    schools = RolloutSchool.objects.filter(plan__programme=programme)  # scoping: ok test
    parts = Participation.objects.filter(programme=programme)  # scoping: ok test
    return {
        "plans": sorted(plans.values_list("pk", "status", "updated_at", "max_km", "max_load")),
        "schools": sorted(schools.values_list("plan_id", "unit__code", "lead__code", "by_hand")),
        "events": RolloutEvent.objects.filter(plan__programme=programme).count(),  # scoping: ok
        "states": sorted(parts.values_list("unit_id", "state")),
    }


def test_create_pick_pair_move_submit_return_approve(client, tree):
    w = rollout_world(tree)
    office, boss = bearer(w.office, WRITE), bearer(leader(tree), WRITE)
    create = reverse("api-v1:rollout_create", kwargs={"programme_id": w.programme.pk})
    made = call(client, "post", create, office, {"name": "2029年推广", "year": 2029, "max_km": 20})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["name"], body["year"], body["max_km"], body["max_load"]) == (
        "2029年推广",
        2029,
        20,
        3,  # the form's default
    )
    assert body["status"] == "draft" and body["pairs"] == []
    assert made["Location"] == url(body["id"])
    assert made["ETag"] == etag(client, body["id"], office)
    p = RolloutPlan.objects.get(pk=body["id"])  # scoping: ok test

    top = call(client, "post", url(p, "rollout_pick"), office, {"top": 2}, made["ETag"])
    assert top.status_code == 200, top.content
    assert len(top.json()["pairs"]) == 2 and top["ETag"] != made["ETag"]
    picked = call(client, "post", url(p, "rollout_pick"), office, {"units": NEAR}, top["ETag"])
    assert picked.status_code == 200, picked.content
    assert sorted(r["unit"] for r in picked.json()["pairs"]) == sorted(NEAR)
    assert picked.json()["schools"] == 4 and picked.json()["paired"] == 0

    started = call(
        client,
        "post",
        url(p, "rollout_pairing"),
        office,
        {"max_km": 25, "max_load": 2},
        picked["ETag"],
    )
    assert started.status_code == 202, started.content
    poll = reverse("api-v1:run", kwargs={"run_id": started.json()["run"]})
    assert started["Location"] == started.json()["poll"] == poll
    from shidian.apps.runs.models import Run

    run = execute(Run.objects.get(pk=started.json()["run"]))  # scoping: ok test
    polled = client.get(poll, **bearer(w.office, ["rollout:read"])).json()
    assert polled["kind"] == "rollout.pair" and polled["status"] == "succeeded"
    assert polled["result"]["schools"] == 4 and run.status == "succeeded"
    paired = client.get(url(p), **office)
    pairs = {r["unit"]: r["lead"] for r in paired.json()["pairs"]}
    assert paired.json()["max_km"] == 25 and pairs["A1-7"] == "A1-1" and None not in pairs.values()

    moved = call(
        client,
        "post",
        url(p, "rollout_lead"),
        office,
        {"school": "A1-10", "lead": "A1-3"},
        paired["ETag"],
    )
    assert moved.status_code == 200, moved.content
    row = next(r for r in moved.json()["pairs"] if r["unit"] == "A1-10")
    assert row["lead"] == "A1-3" and row["by_hand"] and row["km"] > 20
    assert moved["ETag"] != paired["ETag"] and moved["ETag"] == etag(client, p, office)

    sent = call(
        client, "post", url(p, "rollout_submit"), office, {"comment": "请审批"}, moved["ETag"]
    )
    assert sent.status_code == 200 and sent.json()["status"] == "pending", sent.content
    back = call(client, "post", url(p, "rollout_return"), boss, {"comment": "再看看"}, sent["ETag"])
    assert back.status_code == 200 and back.json()["status"] == "returned", back.content
    again = call(client, "post", url(p, "rollout_submit"), office, {}, back["ETag"])
    assert again.status_code == 200, again.content
    done = call(client, "post", url(p, "rollout_approve"), boss, {"comment": "同意"}, again["ETag"])
    assert done.status_code == 200, done.content
    p.refresh_from_db()
    assert done.json()["status"] == "approved" and done.json()["cycle"] == p.cycle_id
    rows = Participation.objects.filter(programme=w.programme, unit__code__in=NEAR)  # scoping: ok
    assert {(r.state, r.batch_id) for r in rows} == {("pilot", p.cycle_id)}


def test_refusals_of_input_and_role_change_nothing(client, tree):
    w = rollout_world(tree)
    p = plan(tree)
    office = bearer(w.office, WRITE)
    tag = etag(client, p, office)
    pick = url(p, "rollout_pick")
    before = snapshot(w.programme)
    # read-only scope, missing and stale If-Match
    read_only = call(client, "post", pick, bearer(w.office, ["rollout:read"]), {"top": 1}, tag)
    assert read_only.status_code == 403 and read_only.json()["code"] == "scope"
    missing = call(client, "post", pick, office, {"top": 1})
    assert missing.status_code == 428 and missing.json()["code"] == "precondition_required"
    stale = call(client, "post", pick, office, {"top": 1}, '"stale"')
    assert stale.status_code == 412 and stale.json()["details"] == [{"etag": tag}]
    # another county's office sees neither the plan nor the programme
    other = bearer(make_user("ro-outsider", tree.other_county, "office"), WRITE)
    assert call(client, "post", pick, other, {"top": 1}, tag).status_code == 404
    create = reverse("api-v1:rollout_create", kwargs={"programme_id": w.programme.pk})
    hidden = call(client, "post", create, other, {"name": "x", "year": 2029})
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
    # a leading-group member named on the programme sees the plan but neither creates nor
    # picks
    deputy = bearer(member(tree, w.office, w.programme), WRITE)
    for target, body in ((create, {"name": "x", "year": 2029}), (pick, {"top": 1})):
        refused = call(client, "post", target, deputy, body, tag)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden", target
    # the forms' messages
    bad = call(client, "post", create, office, {"year": 1999, "max_km": -1})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    assert "名称" in bad.json()["message"] and "推广年度" in bad.json()["message"]
    assert {d["loc"][1] for d in bad.json()["details"]} == {"name", "year", "max_km"}
    pair = call(client, "post", url(p, "rollout_pairing"), office, {"max_load": 0}, tag)
    assert pair.status_code == 422 and pair.json()["details"][0]["loc"] == ["body", "max_load"]
    no_schools = call(client, "post", url(p, "rollout_pairing"), office, {}, tag)
    assert no_schools.status_code == 422 and "请先选择本批学校" in no_schools.json()["message"]
    # the services' messages: a piloted school, an unknown code, a bad count
    for body, words in (
        ({"units": ["A1-1"]}, "不是尚未试点的候选学校"),
        ({"units": ["NO-SUCH"]}, "不是尚未试点的候选学校"),
        ({"units": []}, "请至少选择一所学校"),
        ({"top": 0}, "请填写要选的学校数"),
    ):
        got = call(client, "post", pick, office, body, tag)
        assert got.status_code == 422 and got.json()["code"] == "refused", body
        assert words in got.json()["message"], body
    lead = call(client, "post", url(p, "rollout_lead"), office, {"school": "A1-9"}, tag)
    assert lead.status_code == 422 and {d["loc"][1] for d in lead.json()["details"]} == {
        "school",
        "lead",
    }
    submit = call(client, "post", url(p, "rollout_submit"), office, {}, tag)
    assert submit.status_code == 422 and submit.json()["code"] == "incomplete"
    long = call(client, "post", url(p, "rollout_submit"), office, {"comment": "长" * 1001}, tag)
    assert long.status_code == 422 and long.json()["code"] == "invalid"
    assert snapshot(w.programme) == before
    # in the caller's language: Django's own words and the form's label from our catalogs
    english = call(client, "post", create, office, {"year": 2029}, lang="en")
    assert english.status_code == 422 and "This field is required." in english.json()["message"]
    assert english.json()["message"].startswith("Name: ")


def test_states_that_forbid_a_write_are_409(client, tree):
    from shidian.apps.rollout.pairing import plan_pair
    from shidian.apps.rollout.services import plan_pick, plan_submit
    from tests.rollout.factories import unit

    w = rollout_world(tree)
    p = plan(tree)
    office, boss = bearer(w.office, WRITE), bearer(leader(tree), WRITE)
    # a draft awaits no decision
    tag = etag(client, p, office)
    before = snapshot(w.programme)
    early = call(client, "post", url(p, "rollout_approve"), boss, {}, tag)
    assert early.status_code == 409 and early.json()["code"] == "not_allowed"
    assert "只有待审批的推广计划可以批准" in early.json()["message"]
    assert snapshot(w.programme) == before
    # pending: the office changes nothing; the leading group's return needs a comment; the
    # office may not decide
    plan_pick(by=w.office, plan=p, unit_ids=[unit(c).pk for c in NEAR])
    plan_pair(by=w.office, plan=p)
    plan_submit(by=w.office, plan=p)
    tag = etag(client, p, office)
    before = snapshot(w.programme)
    for name, body in (
        ("rollout_pick", {"top": 1}),
        ("rollout_pairing", {}),
        ("rollout_lead", {"school": "A1-10", "lead": "A1-3"}),
        ("rollout_submit", {}),
    ):
        got = call(client, "post", url(p, name), office, body, tag)
        assert got.status_code == 409 and got.json()["code"] == "not_editable", name
        assert "推广计划待审批，不能修改" in got.json()["message"], name
    silent = call(client, "post", url(p, "rollout_return"), boss, {"comment": " "}, tag)
    assert silent.status_code == 422 and silent.json()["code"] == "reason_required"
    office_decides = call(client, "post", url(p, "rollout_approve"), office, {}, tag)
    assert office_decides.status_code == 403 and office_decides.json()["code"] == "forbidden"
    assert snapshot(w.programme) == before
    english = call(client, "post", url(p, "rollout_submit"), office, {}, tag, lang="en")
    assert english.json()["message"] == (
        "The roll-out plan is Waiting for approval and can no longer be changed."
    )
