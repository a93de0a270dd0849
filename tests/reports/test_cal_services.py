"""Calendar services and pages: overlap checks, nothing saved on bad input, scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shidian.apps.reports.models import CalendarTerm, SchoolCalendar
from shidian.apps.reports.services.calendars import (
    BreakInput,
    TermInput,
    calendar_create,
    calendar_update,
)
from tests.reports.scoping import county_calendar
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db
D = dt.date


def test_overlaps_and_bad_rows_are_refused(tree, office_user):
    before = SchoolCalendar.objects.count()  # scoping: ok test
    with pytest.raises(ValidationError) as exc:
        calendar_create(
            by=office_user,
            unit=tree.county,
            name="校历",
            terms=[
                TermInput("秋", D(2026, 9, 1), D(2027, 1, 22)),
                TermInput("春", D(2027, 1, 10), D(2027, 7, 2)),
            ],
            breaks=[
                BreakInput("寒假", D(2027, 1, 23), D(2027, 2, 21)),
                BreakInput("倒置", D(2027, 5, 5), D(2027, 5, 1), "holiday"),
            ],
        )
    text = " ".join(exc.value.messages)
    assert "“秋”和“春”的日期重叠" in text and "倒置" in text
    assert SchoolCalendar.objects.count() == before  # scoping: ok test


def test_create_update_and_access(tree, office_user, coordinator, outsider):
    with pytest.raises(PermissionDenied):
        calendar_create(by=coordinator, unit=tree.county, name="x")
    with pytest.raises(PermissionDenied):
        calendar_create(by=outsider, unit=tree.county, name="x")
    cal = county_calendar(tree)
    calendar_update(
        by=office_user,
        calendar=cal,
        name="新校历",
        terms=[TermInput("秋", D(2026, 9, 1), D(2027, 1, 22))],
        breaks=[],
    )
    cal.refresh_from_db()
    assert cal.name == "新校历" and cal.terms.count() == 1 and cal.breaks.count() == 0
    with pytest.raises(PermissionDenied):
        calendar_update(by=outsider, calendar=cal, name="y", terms=[], breaks=[])


def test_calendar_pages(client, tree, office_user, outsider, coordinator):
    cal = county_calendar(tree)
    client.force_login(office_user)
    assert client.get(reverse("reports:cal_list")).status_code == 200
    url = reverse("reports:cal_create")
    data = {
        "name": "2027学年",
        "terms-TOTAL_FORMS": "2",
        "terms-INITIAL_FORMS": "0",
        "terms-0-name": "秋",
        "terms-0-starts_on": "2027-09-01",
        "terms-0-ends_on": "2028-01-20",
        "terms-1-name": "春",
        "terms-1-starts_on": "2028-01-10",
        "terms-1-ends_on": "2028-07-01",
        "breaks-TOTAL_FORMS": "1",
        "breaks-INITIAL_FORMS": "0",
        "breaks-0-kind": "vacation",
        "breaks-0-name": "",
        "breaks-0-starts_on": "",
        "breaks-0-ends_on": "",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "重叠" in response.content.decode()
    assert not SchoolCalendar.objects.filter(name="2027学年").exists()  # scoping: ok test
    response = client.post(url, data | {"terms-1-starts_on": "2028-02-20"})
    assert response.status_code == 302
    made = SchoolCalendar.objects.get(name="2027学年")  # scoping: ok test
    assert CalendarTerm.objects.filter(calendar=made).count() == 2  # scoping: ok test
    edit = reverse("reports:cal_edit", kwargs={"calendar_id": cal.pk})
    assert client.get(edit).status_code == 200
    client.force_login(outsider)
    assert client.get(edit).status_code == 404
    assert "甲县" not in client.get(reverse("reports:cal_list")).content.decode()
    client.force_login(coordinator)
    assert client.get(edit).status_code in (403, 404)
    assert client.get(reverse("reports:cal_create")).status_code == 403
    pilot_world(tree)
