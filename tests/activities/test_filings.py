"""Semester plans and summaries (community_plan / community_summary) through the submission
mechanism; the dashboard over the office's subtree; cancelling rules."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shidian.apps.activities import filings, services
from shidian.apps.activities.models import CommunityFiling, Semester
from shidian.apps.core.access import VIEW
from shidian.apps.core.todos import todos_for
from shidian.apps.submissions.models import Round, Submission
from tests.activities.world import activity_world
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PLAN = {"goals": "提升课堂质量", "activities": "三次研讨", "division": "牵头校统筹"}


def opened(tree):
    w, semester, activity = activity_world(tree)
    filings.filings_open(by=w.office, semester=semester)
    semester.refresh_from_db()
    return w, semester, activity


def plan_of(semester, community):
    return CommunityFiling.objects.get(  # scoping: ok test
        semester=semester, community=community, kind="plan"
    )


def test_open_rounds_is_idempotent_and_follows_the_lead(tree):
    w, semester, _ = activity_world(tree)
    assert filings.filings_open(by=w.office, semester=semester) == 4  # 2 communities x 2 kinds
    semester.refresh_from_db()
    assert semester.plan_round.kind == "community_plan"
    assert semester.summary_round.kind == "community_summary"
    assert semester.plan_round.unit == tree.county
    assert semester.plan_round.deadline.date() == dt.date(2026, 9, 29)
    assert semester.summary_round.deadline.date() == semester.ends_on
    assert filings.filings_open(by=w.office, semester=semester) == 0
    assert Round.objects.filter(kind__in=["community_plan", "community_summary"]).count() == 2
    subs = Submission.objects.filter(round=semester.plan_round)  # scoping: ok test
    assert {s.unit_id for s in subs} == {w.first.lead_unit_id, w.second.lead_unit_id}
    # The office may move the dates; the rounds stay the same rows.
    filings.filings_open(
        by=w.office, semester=semester, plan_due=dt.date(2026, 10, 10), summary_due=None
    )
    semester.refresh_from_db()
    assert semester.plan_round.deadline.date() == dt.date(2026, 10, 10)
    assert Round.objects.filter(kind="community_plan").count() == 1


def test_open_refuses_bad_dates_and_non_office(tree):
    w, semester, _ = activity_world(tree)
    with pytest.raises(ValidationError):
        filings.filings_open(by=w.office, semester=semester, plan_due=dt.date(2026, 8, 1))
    with pytest.raises(PermissionDenied):
        filings.filings_open(by=w.lead_user, semester=semester)
    assert CommunityFiling.objects.count() == 0  # scoping: ok test


def test_new_semester_opens_its_filings(client, tree):
    w, _, _ = activity_world(tree)
    client.force_login(w.office)
    r = client.post(
        reverse("activities:semester_new"),
        {"name": "2027年春季学期", "starts_on": "2027-02-20", "ends_on": "2027-07-05"},
    )
    assert r.status_code == 302
    semester = Semester.objects.get(name="2027年春季学期")  # scoping: ok test
    assert semester.plan_round_id and semester.summary_round_id
    assert CommunityFiling.objects.filter(semester=semester).count() == 4  # scoping: ok test
    # The dashboard button on an existing semester adds nothing more.
    r = client.post(reverse("activities:semester_filings", kwargs={"semester_id": semester.pk}))
    assert r.status_code == 302
    assert CommunityFiling.objects.filter(semester=semester).count() == 4  # scoping: ok test


def test_lead_drafts_and_submits(client, tree):
    w, semester, activity = opened(tree)
    filing = plan_of(semester, w.first)
    client.force_login(w.lead_user)
    url = reverse("activities:filing", kwargs={"filing_id": filing.pk})
    page = client.get(url).content.decode()
    assert "filing-form" in page and activity.theme in page  # prefilled from the activities
    community = client.get(reverse("activities:community", kwargs={"community_id": w.first.pk}))
    assert url in community.content.decode()
    assert any(t.url == url for t in todos_for(user=w.lead_user, now=timezone.now()))
    r = client.post(url, {**PLAN, "goals": "", "base_version": 0, "action": "submit"})
    assert r.status_code == 400  # goals missing: saved as a draft, not submitted
    filing.submission.refresh_from_db()
    assert filing.submission.status == "draft"
    r = client.post(url, {**PLAN, "base_version": filing.submission.version, "action": "submit"})
    assert r.status_code == 302
    filing.submission.refresh_from_db()
    assert filing.submission.status == "submitted"
    assert filing.submission.answers["goals"] == "提升课堂质量"
    assert any(
        t.url == url and t.kind == "approve" for t in todos_for(user=w.office, now=timezone.now())
    )


def test_office_returns_with_reason_then_accepts(client, tree):
    w, semester, _ = opened(tree)
    filing = plan_of(semester, w.first)
    filings.filing_save(filing=filing, user=w.lead_user, answers=PLAN, base_version=0)
    filings.filing_submit(filing=filing, user=w.lead_user)
    client.force_login(w.office)
    url = reverse("activities:filing_decide", kwargs={"filing_id": filing.pk})
    client.post(url, {"action": "return", "note": " "})
    filing.submission.refresh_from_db()
    assert filing.submission.status == "submitted"  # a return needs a reason
    client.post(url, {"action": "return", "note": "分工不明确"})
    filing.submission.refresh_from_db()
    assert filing.submission.status == "returned"
    assert filing.submission.return_note == "分工不明确"
    assert any(t.kind == "returned" for t in todos_for(user=w.lead_user, now=timezone.now()))
    # A member school cannot see the returned plan yet.
    client.force_login(w.coordinators["A1-2"])
    assert (
        client.get(reverse("activities:filing", kwargs={"filing_id": filing.pk})).status_code == 404
    )
    filings.filing_save(
        filing=filing,
        user=w.lead_user,
        answers={**PLAN, "division": "各校分工"},
        base_version=filing.submission.version,
    )
    filings.filing_submit(filing=filing, user=w.lead_user)
    client.force_login(w.office)
    client.post(url, {"action": "accept"})
    filing.submission.refresh_from_db()
    assert filing.submission.status == "accepted"
    # Now every member reads it, and its attachment.
    client.force_login(w.coordinators["A1-2"])
    page = client.get(reverse("activities:filing", kwargs={"filing_id": filing.pk}))
    assert page.status_code == 200 and "各校分工" in page.content.decode()
    assert "filing-form" not in page.content.decode()


def test_member_cannot_submit_and_outsiders_get_404(client, tree, outsider):
    w, semester, _ = opened(tree)
    filing = plan_of(semester, w.first)
    member = w.coordinators["A1-2"]
    with pytest.raises(PermissionDenied):
        filings.filing_save(filing=filing, user=member, answers=PLAN, base_version=0)
    with pytest.raises(PermissionDenied):
        filings.filing_submit(filing=filing, user=member)
    with pytest.raises(PermissionDenied):
        filings.filing_accept(filing=filing, user=w.lead_user)  # the lead does not decide
    url = reverse("activities:filing", kwargs={"filing_id": filing.pk})
    for who in (member, w.coordinators["A1-6"], outsider, w.expert):
        client.force_login(who)
        assert client.get(url).status_code == 404, who
        assert client.post(url, {**PLAN, "base_version": 0}).status_code == 404, who
    filing.submission.refresh_from_db()
    assert filing.submission.status == "not_opened"
    # Accepted: members read it; another community's members and outsiders still do not.
    filings.filing_save(filing=filing, user=w.lead_user, answers=PLAN, base_version=0)
    filings.filing_submit(filing=filing, user=w.lead_user)
    filings.filing_accept(filing=filing, user=w.office)
    visible = CommunityFiling.objects.restrict(member, VIEW)
    assert filing in visible
    for who in (w.coordinators["A1-6"], outsider, w.expert):
        client.force_login(who)
        assert client.get(url).status_code == 404
    client.force_login(member)
    r = client.post(url, {**PLAN, "goals": "改", "base_version": 99})
    assert r.status_code == 403
    filing.submission.refresh_from_db()
    assert filing.submission.answers["goals"] == "提升课堂质量"


def test_summary_is_prefilled_and_takes_attachments(client, tree):
    w, semester, activity = opened(tree)
    services.attendance_record(by=w.coordinators["A1-2"], activity=activity, attendees=7)
    filing = CommunityFiling.objects.get(  # scoping: ok test
        semester=semester, community=w.first, kind="summary"
    )
    text = filings.record_text(filing)
    assert "计划活动 1 次，已举办 1 次" in text and "7 人参加" in text
    client.force_login(w.lead_user)
    page = client.get(reverse("activities:filing", kwargs={"filing_id": filing.pk}))
    assert "7 人参加" in page.content.decode()
    upload = SimpleUploadedFile("小结.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n")
    r = client.post(
        reverse("activities:filing_attach", kwargs={"filing_id": filing.pk}), {"file": upload}
    )
    assert r.status_code == 302
    from shidian.apps.evidence.models import Evidence

    evidence = Evidence.objects.get(submission=filing.submission)  # scoping: ok test
    download = reverse(
        "activities:filing_file", kwargs={"filing_id": filing.pk, "evidence_id": evidence.pk}
    )
    assert client.get(download).status_code == 200
    client.force_login(w.coordinators["A1-6"])
    assert client.get(download).status_code == 404


def test_dashboard_covers_the_office_subtree(client, tree):
    from openpyxl import load_workbook

    from shidian.apps.communities.services import community_create

    w, semester, _ = opened(tree)
    community_create(
        by=None,
        owner_unit=tree.other_county,
        name="乙县共同体",
        lead=tree.other_school,
        members=[],
        number=1,
    )
    city_office = make_user("city-office", tree.city, "office")
    client.force_login(city_office)
    page = client.get(reverse("activities:dashboard")).content.decode()
    assert w.first.name in page and w.second.name in page and "乙县共同体" in page
    rows = list(
        load_workbook(
            io.BytesIO(client.get(reverse("activities:dashboard_xlsx")).content)
        ).active.values
    )
    assert {r[1] for r in rows[1:]} == {w.first.name, w.second.name, "乙县共同体"}
    client.force_login(w.office)
    page = client.get(reverse("activities:dashboard")).content.decode()
    assert w.first.name in page and "乙县共同体" not in page
    assert reverse("activities:filing", kwargs={"filing_id": plan_of(semester, w.first).pk}) in page
    rows = list(
        load_workbook(
            io.BytesIO(client.get(reverse("activities:dashboard_xlsx")).content)
        ).active.values
    )
    assert "乙县共同体" not in {r[1] for r in rows[1:]}
    assert {r[8] for r in rows[1:]} == {"未填报"}
    # A school account (the lead included) has no dashboard.
    client.force_login(w.lead_user)
    assert client.get(reverse("activities:dashboard")).status_code == 403


def test_cancel_message_and_held_activity_stays(client, tree):
    w, semester, activity = activity_world(tree)
    client.force_login(w.office)
    url = reverse("activities:cancel", kwargs={"activity_id": activity.pk})
    # Held: the date is past and a member school attended.
    services.attendance_record(by=w.coordinators["A1-2"], activity=activity, attendees=4)
    r = client.post(url, follow=True)
    assert "已举办并有参加记录" in r.content.decode()
    activity.refresh_from_db()
    assert activity.status == "held"
    with pytest.raises(ValidationError):
        services.activity_cancel(by=w.office, activity=activity)
    # A future activity is cancelled with its own message.
    later = services.activities_plan(
        by=w.office,
        community=w.first,
        semester=semester,
        items=[{"theme": "成果展示会", "kind": "showcase", "planned_on": dt.date(2027, 1, 10)}],
    )[0]
    r = client.post(reverse("activities:cancel", kwargs={"activity_id": later.pk}), follow=True)
    assert "活动已取消。" in r.content.decode()
    later.refresh_from_db()
    assert later.status == "cancelled"


def test_a_school_leading_two_communities_files_for_each(tree):
    from shidian.apps.communities.services import community_create

    w, semester, _ = activity_world(tree)
    third = community_create(
        by=None,
        owner_unit=tree.county,
        name="城关第二共同体",
        lead=w.schools["A1-1"],
        members=[w.schools["A1-4"]],
        number=3,
    )
    filings.filings_open(
        by=w.office, semester=semester, plan_due=dt.date(2026, 9, 20), summary_due=None
    )
    mine = CommunityFiling.objects.filter(  # scoping: ok test
        semester=semester, kind="plan", community__in=[w.first, third]
    )
    assert mine.count() == 2
    assert len({f.submission.round_id for f in mine}) == 2
    assert all(f.submission.unit_id == w.schools["A1-1"].pk for f in mine)
    # Opening again without dates keeps the deadlines the office set.
    assert filings.filings_open(by=w.office, semester=semester) == 0
    for f in mine:
        f.submission.round.refresh_from_db()
        assert timezone.localdate(f.submission.round.deadline) == dt.date(2026, 9, 20)
