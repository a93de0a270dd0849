"""The school's pages: my reports, the fill page, autosave with HTMX (saved, refused, conflict),
the whole form without JavaScript, submit with problems, files; another school and an outsider
get 404; the office returns and accepts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shidian.apps.reports import rules
from shidian.apps.reports.models import ReportField, ReportValue
from shidian.apps.submissions.models import Submission
from tests.reports.scoping_filing import report_world
from tests.reports.test_fill_kind import GOOD, fake_rules

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _rules(monkeypatch):
    monkeypatch.setattr(rules, "check_rules", fake_rules)


@pytest.fixture
def world(tree):
    return report_world(tree)


@pytest.fixture
def school_client(client, world, tree):
    client.force_login(world.pilots.coordinators[tree.school.pk])
    return client


def sub_of(world, key, unit):
    return Submission.objects.get(round=world.periods[key].round, unit=unit)  # scoping: ok test


def test_my_reports_lists_only_owed_periods(school_client, world, tree):
    page = school_client.get(reverse("reports:fill_mine")).content.decode()
    assert "月度调度表" in page and "2026年4月" in page
    assert "2026年2月" not in page  # before joining: not owed, simply absent
    assert "2026年8月" not in page  # vacation month


def test_fill_page_and_autosave(school_client, world, tree):
    sub = sub_of(world, "2026-05", tree.school)
    url = reverse("reports:fill", kwargs={"submission_id": sub.pk})
    page = school_client.get(url).content.decode()
    assert "教室数" in page and 'name="na-share"' in page and 'name="na-rooms"' not in page
    item = reverse("reports:fill_item", kwargs={"submission_id": sub.pk})
    ok = school_client.post(
        item, {"code": "rooms", "f-rooms": "0", "version": 0}, HTTP_HX_REQUEST="true"
    )
    assert ok.status_code == 200 and "已自动保存" in ok.content.decode()
    assert 'id="version" name="version" value="1"' in ok.content.decode()
    sub.refresh_from_db()
    assert sub.answers == {"rooms": 0.0}
    bad = school_client.post(item, {"code": "rooms", "f-rooms": "-3", "version": 1})
    assert bad.status_code == 400 and "不能小于" in bad.content.decode()
    na = school_client.post(item, {"code": "share", "na-share": "1", "version": 1})
    assert na.status_code == 200
    sub.refresh_from_db()
    assert sub.answers == {"rooms": 0.0, "share": "na"}


def test_autosave_conflict_answers_409(school_client, world, tree):
    sub = sub_of(world, "2026-05", tree.school)
    item = reverse("reports:fill_item", kwargs={"submission_id": sub.pk})
    school_client.post(item, {"code": "rooms", "f-rooms": "7", "version": 0})
    stale = school_client.post(
        item, {"code": "rooms", "f-rooms": "8", "version": 0, "expected-rooms": ""}
    )
    assert stale.status_code == 409 and "7" in stale.content.decode()
    sub.refresh_from_db()
    assert sub.answers["rooms"] == 7.0


def test_whole_form_and_submit_with_a_rule_failure(school_client, world, tree):
    sub = sub_of(world, "2026-05", tree.school)
    url = reverse("reports:fill", kwargs={"submission_id": sub.pk})
    post = {f"f-{k}": v for k, v in GOOD.items()} | {"f-connected": "30", "version": 0}
    assert school_client.post(url, post).status_code == 302
    submit = reverse("reports:fill_submit", kwargs={"submission_id": sub.pk})
    refused = school_client.post(submit)
    assert refused.status_code == 400 and "联网教室数应不超过教室数" in refused.content.decode()
    sub.refresh_from_db()
    assert sub.status == "draft" and not ReportValue.objects.filter(submission=sub).exists()
    post["f-connected"] = "3"
    post["version"] = sub.version
    school_client.post(url, post)
    assert school_client.post(submit).status_code == 302
    sub.refresh_from_db()
    assert sub.status == "submitted" and ReportValue.objects.filter(submission=sub).count() == 5


def test_bad_whole_form_changes_nothing(school_client, world, tree):
    sub = sub_of(world, "2026-05", tree.school)
    url = reverse("reports:fill", kwargs={"submission_id": sub.pk})
    assert school_client.post(url, {"f-rooms": "abc", "version": 0}).status_code == 400
    sub.refresh_from_db()
    assert sub.version == 0 and sub.answers == {}


def test_file_field_records_the_evidence(school_client, world, tree):
    ReportField.objects.create(
        form=world.form, code="photo", label="活动照片", type="file", required=True, order=9
    )
    sub = sub_of(world, "2026-05", tree.school)
    up = reverse("reports:fill_upload", kwargs={"submission_id": sub.pk})
    school_client.post(up, {"code": "photo", "file": SimpleUploadedFile("活动.pdf", b"%PDF-1.7 x")})
    sub.refresh_from_db()
    assert sub.answers.get("photo") == "活动.pdf" and sub.evidence.count() == 1


def test_another_school_and_an_outsider_get_404(client, world, tree, outsider):
    sub = sub_of(world, "2026-05", tree.school)
    url = reverse("reports:fill", kwargs={"submission_id": sub.pk})
    client.force_login(world.pilots.coordinators[tree.school2.pk])
    assert client.get(url).status_code == 404
    item = reverse("reports:fill_item", kwargs={"submission_id": sub.pk})
    assert client.post(item, {"code": "rooms", "f-rooms": "1", "version": 0}).status_code == 404
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    sub.refresh_from_db()
    assert sub.answers == {}


def test_office_returns_with_comments_and_accepts(client, world, tree):
    from shidian.apps.notifications.models import Notification

    coord = world.pilots.coordinators[tree.school.pk]
    client.force_login(coord)
    sub = sub_of(world, "2026-05", tree.school)
    url = reverse("reports:fill", kwargs={"submission_id": sub.pk})
    client.post(url, {f"f-{k}": v for k, v in GOOD.items()} | {"version": 0})
    client.post(reverse("reports:fill_submit", kwargs={"submission_id": sub.pk}))
    client.force_login(world.pilots.office)
    page = client.get(url).content.decode()
    assert "退回修改" in page
    client.post(
        reverse("reports:fill_return", kwargs={"submission_id": sub.pk}),
        {"c-rooms": "请核对", "note": "补充"},
    )
    sub.refresh_from_db()
    assert sub.status == "returned" and sub.comments == {"rooms": "请核对"}
    note = Notification.objects.get(user=coord, kind="reports.return")  # scoping: ok test
    assert note.url == url
    client.force_login(coord)
    assert "请核对" in client.get(url).content.decode()
    client.post(reverse("reports:fill_submit", kwargs={"submission_id": sub.pk}))
    client.force_login(world.pilots.office)
    client.post(reverse("reports:fill_accept", kwargs={"submission_id": sub.pk}))
    sub.refresh_from_db()
    assert sub.status == "accepted"
