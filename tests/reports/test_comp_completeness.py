"""Completeness and timeliness: timeliness_for numbers, the period table, the consistency
matrix (units that joined later show nothing before), the office's pages, XLSX with codes as
text, reminders (not twice in an hour), the school's to-dos."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from shidian.apps.reports import completeness, rules
from shidian.apps.reports.completeness import LATE, MISSING, ON_TIME, PENDING, timeliness_for
from shidian.apps.submissions import services
from shidian.apps.submissions.models import Revision, Round, Submission
from tests.reports.scoping_filing import report_world
from tests.reports.test_fill_kind import GOOD, fake_rules

pytestmark = [pytest.mark.django_db]
TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _setup(monkeypatch):
    monkeypatch.setattr(rules, "check_rules", fake_rules)
    monkeypatch.setattr(completeness.timezone, "localdate", lambda *a: TODAY)


def at(day, hour=12):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def file_report(world, key, unit, when):
    sub = Submission.objects.get(round=world.periods[key].round, unit=unit)  # scoping: ok test
    coord = world.pilots.coordinators[unit.pk]
    sub = services.submission_save(
        submission=sub, user=coord, answers=GOOD, base_version=sub.version
    )
    sub = services.submission_submit(submission=sub, user=coord)
    Revision.objects.filter(submission=sub, kind="submit").update(created_at=when)
    Submission.objects.filter(pk=sub.pk).update(submitted_at=when)
    return sub


@pytest.fixture
def world(tree):
    w = report_world(tree)
    s1, s2 = tree.school, tree.school2
    file_report(w, "2026-03", s1, at(dt.date(2026, 4, 3)))  # on time (closes 04-07)
    file_report(w, "2026-04", s1, at(dt.date(2026, 5, 8)))  # late (closes 05-07)
    file_report(w, "2026-03", s2, at(dt.date(2026, 4, 7), 23))  # on time, the last hour
    return w


def test_timeliness_for_counts_on_time_late_missing_pending(world, tree):
    p = world.pilots.programme
    got = timeliness_for(p, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    s1, s2 = got[tree.school.pk], got[tree.school2.pk]
    # closing in 2026: Mar..Nov minus August (8); Mar..May closed by 06-15 (June: 07-07)
    assert (s1.expected, s1.on_time, s1.late, s1.missing, s1.pending) == (8, 1, 1, 1, 5)
    assert (s2.on_time, s2.late, s2.missing) == (1, 0, 2)
    assert s1.completeness == pytest.approx(2 / 3) and s1.timeliness == pytest.approx(1 / 3)
    assert world.pilots.late_joiner.pk in got and got[world.pilots.late_joiner.pk].expected == 3
    assert tree.other_school.pk not in got and world.pilots.controls[0].pk not in got
    only = timeliness_for(
        p, start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30), unit_ids=[tree.school.pk]
    )
    assert list(only) == [tree.school.pk] and only[tree.school.pk].on_time == 1


def test_a_returned_report_keeps_its_first_arrival(world, tree):
    sub = Submission.objects.get(
        round=world.periods["2026-03"].round, unit=tree.school
    )  # scoping: ok
    services.submission_return(submission=sub, user=world.pilots.office, comments={})
    table = completeness.period_table(world.periods["2026-03"])
    row = next(r for r in table.rows if r.unit_id == tree.school.pk)
    assert row.status == ON_TIME and row.submission_status == "returned"


def test_period_table_and_matrix(world, tree):
    table = completeness.period_table(world.periods["2026-04"])
    status = {r.unit_id: r.status for r in table.rows}
    assert status[tree.school.pk] == LATE and status[tree.school2.pk] == MISSING
    assert table.expected == 5 and table.counts[LATE] == 1
    units = [tree.school, world.pilots.late_joiner]
    matrix = completeness.unit_consistency(world.form, units, today=TODAY)
    assert [p.key for p in matrix.periods][:3] == ["2026-01", "2026-02", "2026-03"]
    first, late = matrix.rows
    assert first.cells[:6] == ["", "", ON_TIME, LATE, MISSING, PENDING]
    assert late.cells == [""] * 6 and late.joined_on == dt.date(2026, 9, 1)
    assert not first.consistent
    chart = matrix.chart()
    assert chart["completeness"][2] == 100.0 and chart["completeness"][0] is None


def test_office_pages_and_filters(client, world, tree):
    client.force_login(world.pilots.office)
    form_page = client.get(reverse("reports:comp_form", kwargs={"form_id": world.form.pk}))
    assert form_page.status_code == 200 and "comp-chart-data" in form_page.content.decode()
    url = reverse("reports:comp_period", kwargs={"period_id": world.periods["2026-04"].pk})
    page = client.get(url).content.decode()
    assert tree.school.name in page and tree.school2.name in page
    only_late = client.get(url, {"state": "late"}, HTTP_HX_REQUEST="true").content.decode()
    assert tree.school.name in only_late and tree.school2.name not in only_late
    assert "<html" not in only_late
    matrix = client.get(reverse("reports:comp_matrix", kwargs={"form_id": world.form.pk}))
    assert matrix.status_code == 200 and world.pilots.late_joiner.name in matrix.content.decode()


def test_outsiders_and_schools_get_404(client, world, tree, outsider):
    urls = [
        reverse("reports:comp_form", kwargs={"form_id": world.form.pk}),
        reverse("reports:comp_period", kwargs={"period_id": world.periods["2026-04"].pk}),
        reverse("reports:comp_export", kwargs={"period_id": world.periods["2026-04"].pk}),
        reverse("reports:comp_matrix", kwargs={"form_id": world.form.pk}),
    ]
    for user in (outsider, world.pilots.coordinators[tree.school.pk]):
        client.force_login(user)
        assert [client.get(u).status_code for u in urls] == [404] * 4
        remind = reverse("reports:comp_remind", kwargs={"period_id": world.periods["2026-04"].pk})
        assert client.post(remind).status_code == 404
    assert Round.objects.get(pk=world.periods["2026-04"].round_id).reminded_at is None


def test_xlsx_opens_and_codes_are_text(client, world, tree):
    from openpyxl import load_workbook

    from shidian.apps.orgs.models import OrgUnit

    OrgUnit.objects.filter(pk=tree.school.pk).update(code="00123")
    client.force_login(world.pilots.office)
    response = client.get(
        reverse("reports:comp_export", kwargs={"period_id": world.periods["2026-04"].pk})
    )
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb.worksheets[0]
    codes = [row[0].value for row in ws.iter_rows(min_row=2)]
    assert "00123" in codes and all(isinstance(c, str) for c in codes)
    assert ws.cell(row=2, column=1).data_type == "s"
    matrix = client.get(reverse("reports:comp_matrix_export", kwargs={"form_id": world.form.pk}))
    wb = load_workbook(io.BytesIO(b"".join(matrix.streaming_content)))
    assert wb.worksheets[0].max_row == 7  # header + six pilots


def test_remind_once_an_hour_with_a_link_to_the_fill_page(client, world, tree):
    from shidian.apps.notifications.models import Notification

    client.force_login(world.pilots.office)
    period = world.periods["2026-04"]
    url = reverse("reports:comp_remind", kwargs={"period_id": period.pk})
    client.post(url)
    notes = Notification.objects.filter(kind="reports.remind")  # scoping: ok test
    assert notes.count() == 4  # five owe April, one (school 1) filed it
    sub2 = Submission.objects.get(round=period.round, unit=tree.school2)  # scoping: ok test
    assert notes.get(user=world.pilots.coordinators[tree.school2.pk]).url == reverse(
        "reports:fill", kwargs={"submission_id": sub2.pk}
    )
    assert Round.objects.get(pk=period.round_id).reminded_at is not None
    client.post(url)
    assert notes.count() == 4  # not twice in an hour


def test_school_todos(world, tree):
    from shidian.apps.reports.todos import report_todos

    coord = world.pilots.coordinators[tree.school2.pk]
    todos = report_todos(coord, timezone.now())
    titles = [t.title for t in todos]
    assert any("2026年4月" in t for t in titles) and not any("2026年3月" in t for t in titles)
    assert report_todos(world.pilots.office, timezone.now()) == []
