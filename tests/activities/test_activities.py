"""Activities: planning with the rotation, host plan, attendance on a phone, .ics, dashboard."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shidian.apps.activities import services
from shidian.apps.activities.models import Activity, Attendance
from tests.activities.world import activity_world

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_rotation_proposes_unhosted_members_first(tree):
    w, semester, first = activity_world(tree)
    hosts = services.proposed_hosts(community=w.first, n=3)
    assert first.host_unit not in hosts
    assert len(set(hosts)) == 3


def test_plan_refuses_bad_input_and_non_steering(tree):
    w, semester, _ = activity_world(tree)
    with pytest.raises(ValidationError):
        services.activities_plan(
            by=w.office,
            community=w.first,
            semester=semester,
            items=[{"theme": "x", "kind": "seminar", "planned_on": dt.date(2020, 1, 1)}],
        )
    with pytest.raises(ValidationError):
        services.activities_plan(
            by=w.office,
            community=w.first,
            semester=semester,
            items=[
                {
                    "theme": "x",
                    "kind": "seminar",
                    "planned_on": dt.date(2026, 10, 1),
                    "host": w.schools["A1-5"],
                }
            ],
        )
    with pytest.raises(PermissionDenied):
        services.activities_plan(
            by=w.coordinators["A1-2"], community=w.first, semester=semester, items=[]
        )


def test_plan_page_by_lead(client, tree):
    w, semester, _ = activity_world(tree)
    login(client, w.lead_user)
    url = reverse(
        "activities:plan", kwargs={"community_id": w.first.pk, "semester_id": semester.pk}
    )
    assert client.get(url).status_code == 200
    r = client.post(
        url,
        {
            "theme_0": "观摩课",
            "kind_0": "observe",
            "on_0": "2026-11-05",
            "host_0": w.schools["A1-3"].pk,
        },
    )
    assert r.status_code == 302
    assert Activity.objects.filter(
        community=w.first,
        theme="观摩课",  # scoping: ok test
        host_unit=w.schools["A1-3"],
    ).exists()


def test_member_of_other_community_and_outsider_get_404(client, tree, outsider):
    w, _, activity = activity_world(tree)
    url = reverse("activities:detail", kwargs={"activity_id": activity.pk})
    login(client, w.coordinators["A1-6"])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("activities:attend", kwargs={"activity_id": activity.pk}), {"attendees": 3}
        ).status_code
        == 404
    )
    client.logout()
    login(client, outsider)
    assert client.get(url).status_code == 404


def test_attendance_on_phone(client, tree):
    w, _, activity = activity_world(tree)
    member = w.coordinators["A1-2"]
    login(client, member)
    page = client.get(reverse("activities:detail", kwargs={"activity_id": activity.pk}))
    assert "我校已参加" in page.content.decode()
    url = reverse("activities:attend", kwargs={"activity_id": activity.pk})
    assert client.post(url, {"attendees": "6"}).status_code == 302
    assert client.post(url, {"attendees": "8"}).status_code == 302
    row = Attendance.objects.get(activity=activity, unit=w.schools["A1-2"])  # scoping: ok test
    assert row.attendees == 8
    client.post(url, {"attendees": "0"})
    row.refresh_from_db()
    assert row.attendees == 8


def test_host_files_plan_member_cannot(tree):
    w, _, activity = activity_world(tree)
    host_user = w.coordinators[activity.host_unit.code]
    services.activity_file_plan(by=host_user, activity=activity, plan="方案", next_theme="下次")
    activity.refresh_from_db()
    assert activity.plan_filed_at is not None
    other = next(
        c
        for code, c in w.coordinators.items()
        if code in ("A1-2", "A1-3", "A1-4") and code != activity.host_unit.code
    )
    with pytest.raises(PermissionDenied):
        services.activity_file_plan(by=other, activity=activity, plan="x")
    with pytest.raises(ValidationError):
        services.activity_file_plan(by=host_user, activity=activity, plan=" ")


def test_change_host_member_403(client, tree):
    w, _, activity = activity_world(tree)
    old = activity.host_unit
    target = next(w.schools[code] for code in ("A1-2", "A1-3", "A1-4") if w.schools[code] != old)
    login(client, w.coordinators["A1-2"])
    r = client.post(
        reverse("activities:set_host", kwargs={"activity_id": activity.pk}),
        {"host": target.pk},
    )
    assert r.status_code == 403
    activity.refresh_from_db()
    assert activity.host_unit == old
    services.activity_set_host(by=w.office, activity=activity, host=target)
    activity.refresh_from_db()
    assert activity.host_unit == target


def test_ics_content(client, tree):
    w, _, activity = activity_world(tree)
    login(client, w.coordinators["A1-2"])
    r = client.get(reverse("activities:community_ics", kwargs={"community_id": w.first.pk}))
    body = r.content.decode()
    assert r["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in body and f"UID:activity-{activity.pk}@shidian" in body
    assert "DTSTART;VALUE=DATE:20261015" in body
    r = client.get(reverse("activities:school_ics"))
    assert "大单元教学研讨" in r.content.decode()
    assert client.get(reverse("activities:calendar")).status_code == 200


def test_dashboard_xlsx(client, tree):
    from openpyxl import load_workbook

    w, _, activity = activity_world(tree)
    services.attendance_record(by=w.coordinators["A1-2"], activity=activity, attendees=5)
    login(client, w.office)
    assert client.get(reverse("activities:dashboard")).status_code == 200
    r = client.get(reverse("activities:dashboard_xlsx"))
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    codes = [row[2] for row in rows[1:]]
    assert "A1-2" in codes and isinstance(codes[0], str)


def test_office_cancels_activity_member_cannot(client, tree):
    w, _, activity = activity_world(tree)
    url = reverse("activities:cancel", kwargs={"activity_id": activity.pk})
    login(client, w.coordinators["A1-2"])
    assert client.post(url).status_code == 403
    activity.refresh_from_db()
    assert activity.status != "cancelled"
    login(client, w.office)
    page = client.get(reverse("activities:detail", kwargs={"activity_id": activity.pk}))
    assert "取消本次活动" in page.content.decode()
    assert client.post(url).status_code == 302
    activity.refresh_from_db()
    assert activity.status == "cancelled"
    with pytest.raises(ValidationError):
        services.activity_cancel(by=w.office, activity=activity)
    page = client.get(reverse("activities:detail", kwargs={"activity_id": activity.pk}))
    assert "取消本次活动" not in page.content.decode()
    assert "我校已参加" not in page.content.decode()


def test_activity_files_download_inside_the_community_only(client, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shidian.apps.activities.models import ActivityFile

    w, _, activity = activity_world(tree)
    login(client, w.coordinators[activity.host_unit.code])
    pdf = SimpleUploadedFile("研讨材料.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n")
    r = client.post(
        reverse("activities:upload", kwargs={"activity_id": activity.pk}),
        {"kind": "material", "file": pdf},
    )
    assert r.status_code == 302
    row = ActivityFile.objects.get(activity=activity)  # scoping: ok test
    url = reverse(
        "activities:file", kwargs={"activity_id": activity.pk, "activity_file_id": row.pk}
    )
    page = client.get(reverse("activities:detail", kwargs={"activity_id": activity.pk}))
    assert url in page.content.decode()
    login(client, w.coordinators["A1-2"])
    got = client.get(url)
    assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment")
    assert b"".join(got.streaming_content).startswith(b"%PDF")
    login(client, w.coordinators["A1-6"])  # the other community's member
    assert client.get(url).status_code == 404
