"""The read routes of the later lifecycle (inspections, acceptance, ...): each shows a person
what the app's pages show them, needs its area's scope, and shows an outsider (another
county's account holding every scope) nothing: 404 on details, empty lists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.helpers import bearer

pytestmark = pytest.mark.django_db


def get(client, user, name, scopes=None, query="", **kwargs):
    url = reverse(f"api-v1:{name}", kwargs=kwargs) + query
    return client.get(url, **bearer(user, scopes))


def items(response):
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["count"] == len(body["items"]) or body["limit"] < body["count"]
    return body["items"]


def scope_refused(client, user, name, area, **kwargs):
    got = get(client, user, name, scopes=["units:read"], **kwargs)
    assert got.status_code == 403 and got.json()["code"] == "scope", name
    assert area in got.json()["message"]


# inspections --------------------------------------------------------------------------------


def test_inspection_visits_office_inspector_school_outsider(client, tree, outsider):
    from tests.inspections.factories import world

    w = world(tree)
    office, school = w.pw.office, w.pw.coordinators[tree.school.pk]

    [visit] = items(get(client, office, "inspection_visits"))
    assert visit["id"] == w.visit.pk and visit["status"] == "scheduled"
    assert [u["unit"] for u in visit["units"]] == [tree.school.code, tree.school2.code]
    assert visit["inspectors"] == [{"name": "督查专家", "unit": tree.county.code}]
    assert visit["findings"] == 1 and visit["findings_needing_action"] == 1
    detail = get(client, office, "inspection_visit", visit_id=w.visit.pk).json()
    [finding] = detail["findings_list"]
    assert finding["text"] == "机房设备老化，网络多次中断" and finding["severity"] == "major"
    assert sorted(i["unit"] for i in finding["items"]) == [tree.school.code, tree.school2.code]

    # Filters.
    query = f"?programme={w.pw.programme.pk}&status=scheduled&scheduled_from=2026-10-20"
    assert len(items(get(client, office, "inspection_visits", query=query))) == 1
    assert not items(get(client, office, "inspection_visits", query="?status=completed"))
    assert not items(get(client, office, "inspection_visits", query="?scheduled_to=2026-10-19"))
    assert items(get(client, office, "inspection_visits", query="?programme=999999")) == []

    # The named inspector sees the visit, as on the page.
    assert [v["id"] for v in items(get(client, w.inspector, "inspection_visits"))] == [w.visit.pk]

    # A school sees no visit (its pages send it to its items), only the findings about it,
    # with its own item only.
    assert items(get(client, school, "inspection_visits")) == []
    assert get(client, school, "inspection_visit", visit_id=w.visit.pk).status_code == 404
    [mine] = items(get(client, school, "inspection_findings"))
    assert mine["id"] == w.finding.pk
    assert [i["unit"] for i in mine["items"]] == [tree.school.code]
    assert items(get(client, school, "inspection_findings", query="?severity=minor")) == []
    assert items(get(client, school, "inspection_findings", query="?needs_action=true"))
    assert items(get(client, school, "inspection_findings", query=f"?visit={w.visit.pk}"))

    # Another county's account: nothing.
    assert get(client, outsider, "inspection_visit", visit_id=w.visit.pk).status_code == 404
    assert items(get(client, outsider, "inspection_visits")) == []
    assert items(get(client, outsider, "inspection_findings")) == []

    # Without the area's scope: 403.
    scope_refused(client, office, "inspection_visits", "inspections")
    scope_refused(client, office, "inspection_visit", "inspections", visit_id=w.visit.pk)
    scope_refused(client, school, "inspection_findings", "inspections")
    ok = get(client, office, "inspection_visits", scopes=["inspections:read"])
    assert ok.status_code == 200


def test_a_school_not_covered_sees_no_finding(client, tree):
    from tests.inspections.factories import world

    w = world(tree)
    uncovered = [u for u in w.pw.pilots if u.pk not in (tree.school.pk, tree.school2.pk)][0]
    assert items(get(client, w.pw.coordinators[uncovered.pk], "inspection_findings")) == []


# acceptance ---------------------------------------------------------------------------------


def test_acceptance_rounds_office_expert_school_outsider(client, tree, outsider):
    from tests.acceptance.factories import experts, scored_round
    from tests.tracking_world import pilot_world

    acceptance = scored_round(tree)
    w = pilot_world(tree)
    office, school = w.office, w.coordinators[tree.school.pk]

    [row] = items(get(client, office, "acceptance_rounds"))
    assert row["id"] == acceptance.pk and row["status"] == "open"
    assert row["pass_threshold"] == 80 and row["conditional_threshold"] == 60
    assert row["documents"] == ["创建方案", "会议记录", "经费台账"]
    detail = get(client, office, "acceptance_round", acceptance_id=acceptance.pk)
    assert detail.status_code == 200 and detail.json()["name"] == acceptance.name
    query = f"?programme={w.programme.pk}&status=open"
    assert len(items(get(client, office, "acceptance_rounds", query=query))) == 1
    assert items(get(client, office, "acceptance_rounds", query="?status=confirmed")) == []

    # The round's expert sees it; a school never does (only its own report and verdict).
    assert items(get(client, experts(tree)[0], "acceptance_rounds"))
    assert items(get(client, school, "acceptance_rounds")) == []
    assert get(client, school, "acceptance_round", acceptance_id=acceptance.pk).status_code == 404

    # Before confirmation, no verdict for anyone.
    assert items(get(client, office, "acceptance_verdicts")) == []

    assert get(client, outsider, "acceptance_round", acceptance_id=acceptance.pk).status_code == (
        404
    )
    assert items(get(client, outsider, "acceptance_rounds")) == []
    scope_refused(client, office, "acceptance_rounds", "acceptance")
    scope_refused(client, office, "acceptance_round", "acceptance", acceptance_id=acceptance.pk)


def test_acceptance_verdicts_once_confirmed(client, tree, outsider):
    from shidian.apps.acceptance.models import Verdict
    from tests.api.lifecycle_world import confirmed_round
    from tests.tracking_world import pilot_world

    acceptance = confirmed_round(tree)
    w = pilot_world(tree)
    office, school = w.office, w.coordinators[tree.school.pk]

    verdicts = items(get(client, office, "acceptance_verdicts"))
    assert len(verdicts) == 6
    by_unit = {v["unit"]: v for v in verdicts}
    assert by_unit["A1-1"]["outcome"] == "pass" and by_unit["A1-1"]["score"] == pytest.approx(106)
    assert by_unit["A1-2"]["outcome"] == "conditional" and by_unit["A1-2"]["due_on"]
    assert by_unit["A1-3"]["outcome"] == "fail"
    assert any("低于通过分数线" in t for t in by_unit["A1-2"]["reasons"])
    # No expert's own score is in a verdict (blind review).
    assert set(by_unit["A1-1"]) >= {"outcome", "score", "reasons"}
    assert "reviews" not in by_unit["A1-1"] and "experts" not in by_unit["A1-1"]

    # Filters.
    query = f"?acceptance={acceptance.pk}&programme={w.programme.pk}&outcome=conditional"
    assert {v["unit"] for v in items(get(client, office, "acceptance_verdicts", query=query))} == {
        "A1-2",
        "A1-4",
        "A1-6",
    }
    one = items(get(client, office, "acceptance_verdicts", query=f"?unit={tree.school2.code}"))
    assert [v["unit"] for v in one] == [tree.school2.code]
    assert items(get(client, office, "acceptance_verdicts", query="?outcome=nothing")) == []

    # A school sees its own verdict only; another's is a 404.
    [mine] = items(get(client, school, "acceptance_verdicts"))
    assert mine["unit"] == tree.school.code and mine["outcome"] == "pass"
    own = Verdict.objects.get(acceptance=acceptance, unit=tree.school)  # scoping: ok test
    other = Verdict.objects.get(acceptance=acceptance, unit=tree.school2)  # scoping: ok test
    assert get(client, school, "acceptance_verdict", verdict_id=own.pk).json()["id"] == own.pk
    assert get(client, school, "acceptance_verdict", verdict_id=other.pk).status_code == 404
    # English reasons for an English caller.
    english = client.get(
        reverse("api-v1:acceptance_verdict", kwargs={"verdict_id": other.pk}),
        HTTP_ACCEPT_LANGUAGE="en",
        **bearer(office),
    )
    assert english.status_code == 200 and english.json()["reasons"]

    assert get(client, outsider, "acceptance_verdict", verdict_id=own.pk).status_code == 404
    assert items(get(client, outsider, "acceptance_verdicts")) == []
    scope_refused(client, school, "acceptance_verdicts", "acceptance")
    scope_refused(client, school, "acceptance_verdict", "acceptance", verdict_id=own.pk)


# evaluation ---------------------------------------------------------------------------------


def _page_ev(client, user, programme, query=None):
    client.force_login(user)
    response = client.get(f"/evaluation/programmes/{programme.pk}/", query or {})
    client.logout()
    assert response.status_code == 200
    return response.context["ev"]


def test_evaluation_office_school_outsider(client, tree, outsider):
    from tests.evaluation.world import EFFECT, evaluation_world
    from tests.tracking_world import pilot_world

    w = evaluation_world(tree)
    school = pilot_world(tree).coordinators[tree.school.pk]
    pk = w.programme.pk

    got = get(client, w.office, "evaluation", programme_id=pk)
    assert got.status_code == 200, got.content[:300]
    body = got.json()
    assert body["status"] == "estimated" and body["outcome"]["key"] == "total"
    assert body["period"] == "year" and body["pilots"] == 6 and body["controls"] == 6
    page = _page_ev(client, w.office, w.programme)
    assert [e["method"] for e in body["estimates"]] == [r.key for r in page.estimates]
    twfe = next(e for e in body["estimates"] if e["method"] == "twfe")
    assert twfe["ci_low"] < twfe["estimate"] < twfe["ci_high"]
    shown = {r.key: r for r in page.estimates}
    assert twfe["estimate"] == pytest.approx(shown["twfe"].estimate)
    assert twfe["ci_low"] == pytest.approx(shown["twfe"].ci_low)
    assert 0 < twfe["estimate"] / 106 < 2 * EFFECT  # the standard's maximum is 106
    assert "dim:D1" in [o["key"] for o in body["outcomes"]]

    # The outcome and period filters, as on the page; one the page does not offer is a 422.
    other = get(
        client, w.office, "evaluation", programme_id=pk, query="?outcome=dim:D1&period=round"
    )
    assert other.json()["outcome"]["key"] == "dim:D1" and other.json()["period"] == "round"
    bad = get(client, w.office, "evaluation", programme_id=pk, query="?outcome=nope")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    assert get(client, w.office, "evaluation", programme_id=pk, query="?period=x").status_code == (
        422
    )

    # A school gets what its page gives it: the programme is its county's, not in its
    # subtree, so the evaluation page is a 404 for it, and so is the route.
    client.force_login(school)
    assert client.get(f"/evaluation/programmes/{pk}/").status_code == 404
    client.logout()
    assert get(client, school, "evaluation", programme_id=pk).status_code == 404

    assert get(client, outsider, "evaluation", programme_id=pk).status_code == 404
    scope_refused(client, w.office, "evaluation", "evaluation", programme_id=pk)


# plans --------------------------------------------------------------------------------------


def test_plans_office_school_outsider(client, tree, outsider):
    from tests.plans.factories import approved_plan, plan_of

    w, plan = approved_plan(tree)
    office, school = w.office, w.coordinators[tree.school.pk]
    other_plan = plan_of(w, tree.school2)

    rows = items(get(client, office, "plans", query="?limit=500"))
    assert len(rows) == len(w.pilots)  # the round opened one plan per batch-1 pilot
    mine = next(r for r in rows if r["id"] == plan.pk)
    assert mine["status"] == "accepted" and mine["version"] == 1 and mine["tasks"] == 2
    assert 0 <= mine["rate"] <= 1 and 0 < mine["scheduled"] <= 1
    unfiled = next(r for r in rows if r["id"] == other_plan.pk)
    assert unfiled["status"] != "accepted" and unfiled["version"] is None

    # Filters.
    accepted = items(get(client, office, "plans", query="?status=accepted"))
    assert [r["id"] for r in accepted] == [plan.pk]
    one = items(get(client, office, "plans", query=f"?unit={tree.school2.code}"))
    assert [r["id"] for r in one] == [other_plan.pk]
    query = f"?programme={w.programme.pk}&batch={w.batch1.pk}&limit=2"
    assert len(items(get(client, office, "plans", query=query))) == 2
    assert items(get(client, office, "plans", query="?programme=999999")) == []

    detail = get(client, office, "plan", plan_id=plan.pk).json()
    assert [t["code"] for t in detail["task_list"]] == ["T1", "T2"]
    assert detail["task_list"][0]["title"] == "建设录播教室"
    assert detail["task_list"][0]["status"] == "late"  # due 2026-06-30, never reported done

    # A school sees its own plan only.
    assert [r["id"] for r in items(get(client, school, "plans"))] == [plan.pk]
    assert get(client, school, "plan", plan_id=plan.pk).json()["task_list"]
    assert get(client, school, "plan", plan_id=other_plan.pk).status_code == 404

    assert get(client, outsider, "plan", plan_id=plan.pk).status_code == 404
    assert items(get(client, outsider, "plans")) == []
    scope_refused(client, school, "plans", "plans")
    scope_refused(client, school, "plan", "plans", plan_id=plan.pk)


# commendations ------------------------------------------------------------------------------


def test_commendations_office_zone_school_outsider(client, tree, outsider):
    from shidian.apps.commendations.services import (
        commendation_approve,
        commendation_submit,
        nomination_add,
        nomination_decide,
    )
    from shidian.apps.orgs.models import OrgUnit
    from tests.commendations.factories import commendation, leader, passed_world, zone_account

    w = passed_world(tree)
    c = commendation(tree)
    zone, school = zone_account(tree), w.coordinators[tree.school.pk]
    a11 = OrgUnit.objects.get(code="A1-1")  # scoping: ok test
    a13 = OrgUnit.objects.get(code="A1-3")  # scoping: ok test
    nomination_add(by=w.office, commendation=c, category="unit", unit=a11, reason="成效突出")
    proposal = nomination_add(
        by=zone, commendation=c, category="team", unit=a13, name="教研组", reason="带动片区"
    )
    nomination_decide(by=w.office, nomination=proposal, include=False, note="材料不足")

    [draft] = items(get(client, w.office, "commendations"))
    assert draft["id"] == c.pk and draft["status"] == "draft" and draft["notice"] is None
    assert draft["included"] == 1
    assert items(get(client, w.office, "commendations", query="?status=approved")) == []

    commendation_submit(by=w.office, commendation=c)
    document = commendation_approve(by=leader(tree), commendation=c)

    [approved] = items(get(client, w.office, "commendations", query="?status=approved"))
    assert approved["notice"] == {"document": document.pk, "title": document.title}
    query = f"?programme={w.programme.pk}&status=approved"
    assert len(items(get(client, w.office, "commendations", query=query))) == 1
    assert items(get(client, w.office, "commendations", query="?programme=999999")) == []
    detail = get(client, w.office, "commendation", commendation_id=c.pk).json()
    by_unit = {n["unit"]: n for n in detail["nominations"]}
    assert {u: n["status"] for u, n in by_unit.items()} == {"A1-1": "included", "A1-3": "declined"}
    assert by_unit["A1-3"]["decline_note"] == "材料不足"
    assert by_unit["A1-3"]["proposed_by_unit"] == tree.zone.code

    # The zone sees the list and only its own proposal; a school sees no list.
    zone_view = get(client, zone, "commendation", commendation_id=c.pk).json()
    assert [n["unit"] for n in zone_view["nominations"]] == ["A1-3"]
    assert zone_view["included"] == 0
    assert items(get(client, school, "commendations")) == []
    assert get(client, school, "commendation", commendation_id=c.pk).status_code == 404

    assert get(client, outsider, "commendation", commendation_id=c.pk).status_code == 404
    assert items(get(client, outsider, "commendations")) == []
    scope_refused(client, w.office, "commendations", "commendations")
    scope_refused(client, w.office, "commendation", "commendations", commendation_id=c.pk)


# rollout ------------------------------------------------------------------------------------


def test_rollouts_office_school_outsider(client, tree, outsider):
    from shidian.apps.rollout.pairing import plan_pair
    from shidian.apps.rollout.services import plan_pick
    from tests.rollout.factories import plan, rollout_world, unit

    w = rollout_world(tree)
    p = plan(tree)
    near = ["A1-7", "A1-8", "A1-9", "A1-10"]
    plan_pick(by=w.office, plan=p, unit_ids=[unit(c).pk for c in near])
    plan_pair(by=w.office, plan=p)
    school = w.coordinators[tree.school.pk]

    [row] = items(get(client, w.office, "rollouts"))
    assert row["id"] == p.pk and row["status"] == "draft" and row["year"] == 2029
    assert row["schools"] == 4 and row["paired"] == 4 and row["max_load"] == 2
    query = f"?programme={w.programme.pk}&status=draft&year=2029"
    assert len(items(get(client, w.office, "rollouts", query=query))) == 1
    assert items(get(client, w.office, "rollouts", query="?year=2030")) == []
    assert items(get(client, w.office, "rollouts", query="?status=approved")) == []
    detail = get(client, w.office, "rollout", rollout_id=p.pk).json()
    pairs = {d["unit"]: d["lead"] for d in detail["pairs"]}
    assert pairs == {"A1-7": "A1-1", "A1-9": "A1-1", "A1-8": "A1-2", "A1-10": "A1-2"}
    assert all(d["km"] <= 20 for d in detail["pairs"])

    # Schools see nothing of a plan before it becomes participation, as on their pages.
    assert items(get(client, school, "rollouts")) == []
    assert get(client, school, "rollout", rollout_id=p.pk).status_code == 404

    assert get(client, outsider, "rollout", rollout_id=p.pk).status_code == 404
    assert items(get(client, outsider, "rollouts")) == []
    scope_refused(client, w.office, "rollouts", "rollout")
    scope_refused(client, w.office, "rollout", "rollout", rollout_id=p.pk)


# scopes -------------------------------------------------------------------------------------

# Inspections have writes (tests/api/test_inspection_writes.py); the rest of the later
# lifecycle is read only.
LIFECYCLE_AREAS = ("acceptance", "evaluation", "plans", "commendations", "rollout")


def test_lifecycle_areas_are_read_only_on_the_token_form_and_in_the_service(office_client):
    from django.core.exceptions import ValidationError

    from shidian.apps.api.forms import scope_choices
    from shidian.apps.api.models import ApiToken
    from shidian.apps.api.tokens import token_create

    offered = {value for value, _label in scope_choices()}
    for area in LIFECYCLE_AREAS:
        assert f"{area}:read" in offered and f"{area}:write" not in offered, area
    page = office_client.get(reverse("api:tokens")).content.decode()
    assert 'value="inspections:read"' in page and 'value="rollout:write"' not in page
    made = office_client.post(
        reverse("api:tokens"),
        {"name": "评估同步", "scopes": ["evaluation:read", "plans:read"], "days": "30"},
    )
    assert made.status_code == 200
    assert made.context["created"].token.scopes == ["evaluation:read", "plans:read"]
    refused = office_client.post(
        reverse("api:tokens"), {"name": "写", "scopes": ["acceptance:write"], "days": "30"}
    )
    assert refused.status_code == 422
    user = made.context["created"].token.user
    with pytest.raises(ValidationError):
        token_create(user=user, name="x", scopes=["rollout:write"], days=30)
    assert ApiToken.objects.count() == 1
