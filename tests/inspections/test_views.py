"""Pages of inspections: access per persona, forms, bad input changing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from shidian.apps.inspections.models import InspectionVisit, RectificationItem
from shidian.apps.inspections.services.visits import finding_add
from tests.inspections.factories import world
from tests.inspections.scoping import expert_not_inspector

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def login(client, user):
    client.force_login(user)
    return client


def test_school_sees_only_its_own_items_and_findings(client, tree):
    w = world(tree)
    mine, theirs = w.items
    only2 = finding_add(
        by=w.pw.office,
        visit=w.visit,
        text="只涉及第二初中",
        units=[tree.school2],
        photos=[SimpleUploadedFile("b.png", PNG)],
    )
    login(client, w.pw.coordinators[tree.school.pk])
    assert (
        client.get(reverse("inspections:item", kwargs={"rect_item_id": mine.pk})).status_code == 200
    )
    assert (
        client.get(reverse("inspections:item", kwargs={"rect_item_id": theirs.pk})).status_code
        == 404
    )
    assert (
        client.get(reverse("inspections:visit", kwargs={"visit_id": w.visit.pk})).status_code == 404
    )
    photo = only2.photos.get()
    assert (
        client.get(reverse("inspections:photo", kwargs={"finding_photo_id": photo.pk})).status_code
        == 404
    )
    listing = client.get(reverse("inspections:items")).content.decode()
    assert f"/inspections/items/{mine.pk}/" in listing
    assert f"/inspections/items/{theirs.pk}/" not in listing
    home = client.get(reverse("inspections:home"))
    assert home.status_code == 302  # a school has no visits: straight to its items


def test_school_sees_photos_of_the_finding_that_covers_it(client, tree):
    w = world(tree)
    from django.core.files.base import ContentFile

    from shidian.apps.inspections.models import FindingPhoto

    photo = FindingPhoto(finding=w.finding, original_name="a.png", size=4)
    photo.file.save("a.png", ContentFile(PNG), save=True)
    login(client, w.pw.coordinators[tree.school.pk])
    page = client.get(reverse("inspections:item", kwargs={"rect_item_id": w.items[0].pk}))
    assert f"/inspections/photos/{photo.pk}/" in page.content.decode()
    assert (
        client.get(reverse("inspections:photo", kwargs={"finding_photo_id": photo.pk})).status_code
        == 200
    )


def test_inspector_sees_the_visit_an_uninvited_expert_does_not(client, tree):
    w = world(tree)
    url = reverse("inspections:visit", kwargs={"visit_id": w.visit.pk})
    assert login(client, w.inspector).get(url).status_code == 200
    add = reverse("inspections:finding_add", kwargs={"visit_id": w.visit.pk})
    assert client.get(add).status_code == 200
    # An inspector records but does not steer the visit or issue items.
    assert (
        client.post(
            reverse("inspections:visit_move", kwargs={"visit_id": w.visit.pk}), {"action": "start"}
        ).status_code
        == 403
    )
    login(client, expert_not_inspector(tree))
    assert client.get(url).status_code == 404
    assert client.get(add).status_code == 404


def test_office_creates_a_random_visit_and_sees_the_seed(client, tree):
    w = world(tree)
    login(client, w.pw.office)
    url = reverse("inspections:visit_create", kwargs={"programme_id": w.pw.programme.pk})
    assert client.get(url).status_code == 200
    data = {
        "title": "随机抽查",
        "scheduled_on": "2026-11-05",
        "method": "random",
        "size": 2,
        "strata": ["locality"],
        "seed": 2026,
    }
    response = client.post(url, data)
    visit = InspectionVisit.objects.get(title="随机抽查")  # scoping: ok test
    assert response.status_code == 302
    page = client.get(reverse("inspections:visit", kwargs={"visit_id": visit.pk})).content.decode()
    assert "2026" in page and 'id="draw-allocation"' in page


def test_visit_create_too_large_draw_shows_the_error_and_saves_nothing(client, tree):
    w = world(tree)
    login(client, w.pw.office)
    url = reverse("inspections:visit_create", kwargs={"programme_id": w.pw.programme.pk})
    before = InspectionVisit.objects.count()
    response = client.post(
        url, {"title": "x", "scheduled_on": "2026-11-05", "method": "random", "size": 50}
    )
    assert response.status_code == 200
    assert "50" in response.content.decode() and "form-errors" in response.content.decode()
    assert InspectionVisit.objects.count() == before


def test_school_cannot_create_visits(client, tree):
    w = world(tree)
    login(client, w.pw.coordinators[tree.school.pk])
    url = reverse("inspections:visit_create", kwargs={"programme_id": w.pw.programme.pk})
    assert client.get(url).status_code in (403, 404)


def test_answer_and_verify_through_the_pages(client, tree):
    w = world(tree)
    item = w.items[0]
    coord = w.pw.coordinators[tree.school.pk]
    login(client, coord)
    answer = reverse("inspections:item_answer", kwargs={"rect_item_id": item.pk})
    bad = client.post(answer, {"text": ""})
    assert bad.status_code == 200
    item.refresh_from_db()
    assert item.status == "issued"
    ok = client.post(answer, {"text": "已完成", "files": [SimpleUploadedFile("a.png", PNG)]})
    assert ok.status_code == 302
    item.refresh_from_db()
    assert item.status == "answered"
    verify = reverse("inspections:item_verify", kwargs={"rect_item_id": item.pk})
    assert client.post(verify, {"decision": "close"}).status_code == 403
    login(client, w.pw.office)
    page = client.post(verify, {"decision": "reopen", "reason": ""})
    assert page.status_code == 200 and "form-errors" in page.content.decode()
    item.refresh_from_db()
    assert item.status == "answered"
    assert client.post(verify, {"decision": "close"}).status_code == 302
    item.refresh_from_db()
    assert item.status == "closed"
    file_url = reverse(
        "inspections:answer_file", kwargs={"rect_file_id": item.answers.get().files.get().pk}
    )
    assert client.get(file_url).status_code == 200
    login(client, w.pw.coordinators[tree.school2.pk])
    assert client.get(file_url).status_code == 404


def test_office_turns_a_finding_and_filters_items(client, tree):
    w = world(tree)
    login(client, w.pw.office)
    found = finding_add(by=w.pw.office, visit=w.visit, text="课表未公示", units=[tree.school])
    turn = reverse("inspections:finding_turn", kwargs={"finding_id": found.pk})
    client.post(turn, {"due_on": "not a date"})
    assert not found.items.exists()
    client.post(turn, {"due_on": "2026-12-01", "evidence_required": "公示照片"})
    assert found.items.count() == 1
    listing = client.get(reverse("inspections:items") + "?severity=normal").content.decode()
    assert "课表未公示" in listing and "机房设备老化" not in listing
    RectificationItem.objects.filter(finding=found).update(due_on=dt.date(2020, 1, 1))
    overdue = client.get(reverse("inspections:items") + "?overdue=on").content.decode()
    assert "课表未公示" in overdue and "机房设备老化" not in overdue


def test_visit_notice_generates_a_document(client, tree):
    w = world(tree)
    login(client, w.pw.office)
    response = client.post(
        reverse("inspections:visit_notice", kwargs={"visit_id": w.visit.pk}),
        {"unit": tree.school.pk},
    )
    assert response.status_code == 302 and "/documents/" in response["Location"]


def test_todos_for_school_and_office(tree):
    from shidian.apps.core.todos import todos_for
    from shidian.apps.inspections.services.rectification import item_answer

    w = world(tree)
    coord = w.pw.coordinators[tree.school.pk]
    now = timezone.now()
    assert [t.title for t in todos_for(user=coord, now=now) if "inspections" in t.url] == [
        w.items[0].title
    ]
    item_answer(by=coord, item=w.items[0], text="ok", files=[SimpleUploadedFile("a.png", PNG)])
    office = [t for t in todos_for(user=w.pw.office, now=now) if "inspections" in t.url]
    assert len(office) == 1 and "1" in office[0].title
