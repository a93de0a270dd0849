"""The read routes of reports, selections, communities and activities, cases and documents:
each shows a person what the pages show them, needs its area's scope, and shows an outsider
(another county's account holding every scope) nothing."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.api.helpers import bearer
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def get(client, user, name, scopes=None, query="", **kwargs):
    url = reverse(f"api-v1:{name}", kwargs=kwargs) + query
    return client.get(url, **bearer(user, scopes))


def items(response):
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["count"] == len(body["items"]) or body["limit"] < body["count"]
    return body["items"]


def test_reports_forms_periods_and_values(client, tree, monkeypatch, outsider):
    from shidian.apps.reports import rules
    from shidian.apps.submissions import services
    from shidian.apps.submissions.models import Submission
    from tests.reports.scoping_filing import report_world
    from tests.reports.test_fill_kind import GOOD, fake_rules

    monkeypatch.setattr(rules, "check_rules", fake_rules)
    w = report_world(tree)
    office, school = w.pilots.office, w.pilots.coordinators[tree.school.pk]
    sub = Submission.objects.get(round=w.periods["2026-04"].round, unit=tree.school)  # scoping: ok
    sub = services.submission_save(submission=sub, user=school, answers=GOOD, base_version=0)
    services.submission_submit(submission=sub, user=school)

    [form] = items(get(client, office, "report_forms", query="?status=published"))
    assert form["id"] == w.form.pk and "rooms" in [f["code"] for f in form["fields"]]
    detail = get(client, office, "report_form", form_id=w.form.pk).json()
    assert detail["rules"][0]["left"] == "connected"
    periods = items(get(client, office, "report_periods", form_id=w.form.pk, query="?limit=500"))
    assert len(periods) == 12 and [p["key"] for p in periods][3] == "2026-04"
    off = get(client, office, "report_periods", form_id=w.form.pk, query="?expected=false")
    assert [p["key"] for p in items(off)] == ["2026-08"]
    values = items(get(client, office, "report_values", query=f"?form={w.form.pk}&field=rooms"))
    assert [(v["period"], v["unit"], v["number"]) for v in values] == [
        ("2026-04", tree.school.code, 12.0)
    ]
    # The school reads its own values, but no form definition (it reaches its report itself).
    assert not items(get(client, school, "report_forms"))
    assert get(client, school, "report_form", form_id=w.form.pk).status_code == 404
    other = w.pilots.coordinators[tree.school2.pk]
    assert not items(get(client, other, "report_values"))
    assert items(get(client, school, "report_values", query=f"?unit={tree.school.code}"))
    for name in ("report_forms", "report_values"):
        assert not items(get(client, outsider, name))
        assert get(client, office, name, ["cases:read"]).status_code == 403
    assert get(client, outsider, "report_periods", form_id=w.form.pk).status_code == 404


def test_selections_as_each_person_sees_them(client, tree, office_user, zone_user, outsider):
    from shidian.apps.selection.services.approval import selection_approve, selection_submit
    from tests.selection.test_approval_helpers import leader, ready

    w, rows = ready(tree, office_user)
    selection_submit(by=office_user, selection=w.selection, note="请审批")
    boss = leader(tree)
    selection_approve(by=boss, selection=w.selection, comment="同意")
    sid = w.selection.pk

    [listed] = items(get(client, office_user, "selections", query=f"?programme={w.programme.pk}"))
    assert (listed["id"], listed["status"]) == (sid, "approved")
    detail = get(client, boss, "selection", selection_id=sid).json()
    assert detail["approved_version"] == 1
    assert [h["action"] for h in detail["history"]] == ["submitted", "approved"]
    results = get(client, office_user, "selection_results", selection_id=sid).json()
    assert results["version"] == 1 and len(results["pilots"]) == 14
    assert results["pilots"][0]["unit"] == rows[0]["id"]
    assert len(results["controls"]) == 4
    shortlist = items(get(client, boss, "selection_shortlist", selection_id=sid, query="?limit=5"))
    assert [s["rank"] for s in shortlist] == [1, 2, 3, 4, 5]
    assert items(get(client, office_user, "selection_recommendations", selection_id=sid)) == []
    # A zone without a quota, a school and another county see nothing of it.
    for person in (zone_user, make_user("sel-school", tree.school, "coordinator"), outsider):
        assert not items(get(client, person, "selections"))
        for name in ("selection", "selection_results", "selection_shortlist"):
            assert get(client, person, name, selection_id=sid).status_code == 404, (person, name)
    assert get(client, office_user, "selections", ["reports:read"]).status_code == 403


def test_a_zone_with_a_quota_sees_its_recommendations_but_not_the_results(client, tree):
    from shidian.apps.selection.models import Recommendation, ZoneQuota
    from tests.selection.factories import world

    w = world(tree, recommend=True)
    ZoneQuota.objects.get_or_create(selection=w.selection, zone=tree.zone, defaults={"quota": 2})
    Recommendation.objects.create(
        selection=w.selection, unit=tree.school, zone=tree.zone, reason="信息化基础好"
    )
    zone = make_user("sel-zone", tree.zone, "zone")
    sid = w.selection.pk
    assert [s["id"] for s in items(get(client, zone, "selections"))] == [sid]
    assert get(client, zone, "selection", selection_id=sid).json()["history"] == []
    [rec] = items(get(client, zone, "selection_recommendations", selection_id=sid))
    assert (rec["unit"], rec["zone"]) == (tree.school.code, tree.zone.code)
    assert rec["reason"] == "信息化基础好"
    assert get(client, zone, "selection_results", selection_id=sid).status_code == 404
    assert get(client, zone, "selection_shortlist", selection_id=sid).status_code == 404


def test_communities_and_activities(client, tree, office_user, zone_user, outsider):
    from tests.activities.world import activity_world

    w, _semester, activity = activity_world(tree)
    member = w.coordinators["A1-2"]
    for person in (office_user, member):
        found = items(get(client, person, "communities"))
        assert w.first.pk in [c["id"] for c in found], person
    one = get(client, member, "community", community_id=w.first.pk).json()
    assert one["lead_unit"] == "A1-1" and "A1-2" in [m["unit"] for m in one["members"]]
    [listed] = items(get(client, member, "activities", query=f"?community={w.first.pk}"))
    assert (listed["id"], listed["theme"], listed["planned_on"]) == (
        activity.pk,
        "大单元教学研讨",
        "2026-10-15",
    )
    assert not items(get(client, member, "activities", query="?planned_from=2026-11-01"))
    detail = get(client, office_user, "activity", activity_id=activity.pk).json()
    assert "plan" in detail
    # A zone above a member school is no member: as on the pages, it sees no community.
    for person in (zone_user, outsider):
        assert w.first.pk not in [c["id"] for c in items(get(client, person, "communities"))]
        assert not items(get(client, person, "activities"))
        assert get(client, person, "community", community_id=w.first.pk).status_code == 404
        assert get(client, person, "activity", activity_id=activity.pk).status_code == 404
    assert get(client, member, "activities", ["cases:read"]).status_code == 403


def test_cases_published_and_my_own(client, tree, outsider):
    from tests.cases.factories import call, coordinator_of, published, sheet
    from tests.tracking_world import pilot_world

    case = published(tree)
    office = pilot_world(tree).office
    school, school2 = coordinator_of(tree), coordinator_of(tree, tree.school2)
    for person in (office, school, school2):
        found = items(get(client, person, "cases", query="?subject=maths"))
        assert [c["id"] for c in found] == [case.pk], person
    assert get(client, school2, "case", case_id=case.pk).json()["body"].startswith("一、背景")
    assert not items(get(client, office, "cases", query="?subject=nothing"))
    [mine] = items(get(client, school, "my_cases"))
    assert (mine["submission"], mine["call"]) == (sheet(tree).pk, call(tree).pk)
    assert mine["case"] == case.pk
    assert mine["status"] == "accepted" and mine["title"]
    [theirs] = items(get(client, school2, "my_cases"))
    assert theirs["case"] is None and theirs["submission"] != mine["submission"]
    assert not items(get(client, office, "my_cases"))
    assert not items(get(client, outsider, "cases")) and not items(
        get(client, outsider, "my_cases")
    )
    assert get(client, outsider, "case", case_id=case.pk).status_code == 404
    assert get(client, school, "cases", ["documents:read"]).status_code == 403


def test_documents_metadata_and_files(client, tree, office_user, coordinator, outsider):
    from shidian.apps.documents.models import Document, Status

    doc = Document.objects.create(
        unit=tree.county, kind="notice", title="关于试点的通知", inputs={}, status=Status.DONE
    )
    doc.docx.save("n.docx", ContentFile(b"PK-docx-bytes"), save=True)
    [listed] = items(get(client, office_user, "documents", query="?kind=notice"))
    assert (listed["id"], listed["docx"], listed["pdf"]) == (doc.pk, True, False)
    assert get(client, office_user, "document", document_id=doc.pk).json()["title"] == doc.title
    got = get(client, office_user, "document_docx", document_id=doc.pk)
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"PK-docx-bytes"
    assert "attachment" in got["Content-Disposition"]
    assert get(client, office_user, "document_pdf", document_id=doc.pk).status_code == 404
    # Documents are the offices': a school's coordinator and another county see none.
    for person in (coordinator, outsider):
        assert not items(get(client, person, "documents"))
        for name in ("document", "document_docx", "document_pdf"):
            assert get(client, person, name, document_id=doc.pk).status_code == 404
    assert get(client, office_user, "documents", ["cases:read"]).status_code == 403
