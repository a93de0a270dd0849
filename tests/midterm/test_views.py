"""Mid-term pages: the office's list, create form, round page with gaps and one-step items,
the export, and each school's own gap report (another school's is 404, as is an outsider's)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shidian.apps.campaigns.models import Sheet
from shidian.apps.midterm.models import GapItem, MidtermRound
from tests.midterm.factories import experts, scored_round
from tests.standards.factories import published_version
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db


def _sheet(midterm, unit):
    return Sheet.objects.get(round=midterm.campaign, unit=unit)  # scoping: ok test


def test_office_pages(client, tree):
    midterm = scored_round(tree)
    w = pilot_world(tree)
    client.force_login(w.office)
    listing = client.get(reverse("midterm:list", kwargs={"programme_id": w.programme.pk}))
    assert listing.status_code == 200 and midterm.name in listing.content.decode()
    page = client.get(reverse("midterm:detail", kwargs={"midterm_id": midterm.pk}))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="gap-matrix"' in html and 'id="items-form"' in html
    assert "再次点击不会重复生成" in html
    assert all(u.name in html for u in w.pilots)
    export = client.get(reverse("midterm:export", kwargs={"midterm_id": midterm.pk}))
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "学校代码" and rows[1][0] == "A1-1"
    assert isinstance(rows[1][0], str)


def test_create_form(client, tree):
    w = pilot_world(tree)
    experts(tree)
    version = published_version(tree.county)
    client.force_login(w.office)
    url = reverse("midterm:create", kwargs={"programme_id": w.programme.pk})
    assert client.get(url).status_code == 200
    now = timezone.localtime() + dt.timedelta(days=5)
    data = {
        "name": "中期初评",
        "cycle": w.batch1.pk,
        "version": version.pk,
        "opens_on": timezone.localdate().isoformat(),
        "deadline": now.strftime("%Y-%m-%dT%H:%M"),
        "scorer": "office",
        "level": 1,
        "share_percent": 70,
        "pass_mark": "",
        "veto_codes": "",
    }
    bad = client.post(url, {**data, "veto_codes": "NOPE"})
    assert bad.status_code == 400 and not MidtermRound.objects.exists()
    assert "NOPE" in bad.content.decode()
    response = client.post(url, data)
    midterm = MidtermRound.objects.get()
    assert response.status_code == 302 and midterm.share == pytest.approx(0.7)
    assert midterm.level == 1


def test_items_in_one_step_and_no_duplicates(client, tree, fake_issue):
    midterm = scored_round(tree)
    w = pilot_world(tree)
    client.force_login(w.office)
    url = reverse("midterm:items", kwargs={"midterm_id": midterm.pk})
    due = (timezone.localdate() + dt.timedelta(days=40)).isoformat()
    bad = client.post(url, {"due_on": "2000-01-01"})
    assert bad.status_code == 400 and not fake_issue.calls
    first = client.post(url, {"due_on": due}, follow=True)
    count = GapItem.objects.count()
    assert count == len(fake_issue.calls) > 0
    assert "已生成" in first.content.decode()
    client.post(url, {"due_on": due})
    assert GapItem.objects.count() == count == len(fake_issue.calls)


def test_school_sees_only_its_own_report(client, tree):
    midterm = scored_round(tree)
    w = pilot_world(tree)
    own, other = w.pilots[0], w.pilots[1]
    client.force_login(w.coordinators[own.pk])
    page = client.get(reverse("midterm:school", kwargs={"sheet_id": _sheet(midterm, own).pk}))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="gap-table"' in html and own.name in html
    assert other.name not in html
    for name, kwargs in [
        ("midterm:school", {"sheet_id": _sheet(midterm, other).pk}),
        ("midterm:detail", {"midterm_id": midterm.pk}),
        ("midterm:export", {"midterm_id": midterm.pk}),
        ("midterm:list", {"programme_id": w.programme.pk}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name
    assert (
        client.post(reverse("midterm:items", kwargs={"midterm_id": midterm.pk})).status_code == 404
    )


def test_school_waits_for_release(client, tree):
    midterm = scored_round(tree, release=False, name="未公布")
    w = pilot_world(tree)
    own = w.pilots[0]
    client.force_login(w.coordinators[own.pk])
    page = client.get(reverse("midterm:school", kwargs={"sheet_id": _sheet(midterm, own).pk}))
    assert 'id="not-scored"' in page.content.decode()


def test_outsider_gets_404(client, tree, outsider):
    midterm = scored_round(tree)
    w = pilot_world(tree)
    client.force_login(outsider)
    for name, kwargs in [
        ("midterm:school", {"sheet_id": _sheet(midterm, w.pilots[0]).pk}),
        ("midterm:detail", {"midterm_id": midterm.pk}),
        ("midterm:create", {"programme_id": w.programme.pk}),
        ("midterm:list", {"programme_id": w.programme.pk}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name
