"""Inspections in a browser: the office creates a visit of two schools, records a finding
needing action that covers both, turns it into items; one school answers on a 375-px phone
with a photo; the office verifies and closes it; the other school's item stays open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.browser.conftest import ARTIFACTS, has_horizontal_scroll, login, screenshot
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db(transaction=True)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8"
    "ffff3f0005fe02fea7d6a4e30000000049454e44ae426082"
)


def test_finding_to_items_answer_on_phone_verify(browser, live_server, tree, phone_page):
    from shidian.apps.inspections.models import InspectionVisit, RectificationItem

    pw = pilot_world(tree)
    office = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = office.new_page()
    page.set_default_timeout(30_000)
    login(page, live_server, "tw-office")

    page.goto(
        live_server.url
        + reverse("inspections:visit_create", kwargs={"programme_id": pw.programme.pk})
    )
    page.fill("#id_title", "十月督查")
    page.fill("#id_scheduled_on", "2026-10-20")
    page.check("input[name=method][value=direct]")
    page.check(f"input[name=units][value='{tree.school.pk}']")
    page.check(f"input[name=units][value='{tree.school2.pk}']")
    page.click("#save-visit")
    page.wait_for_selector("#visit-status")
    visit = InspectionVisit.objects.get(title="十月督查")  # scoping: ok test
    page.click("#visit-start")
    page.wait_for_selector("#visit-complete")

    page.click("#add-finding")
    page.check(f"input[name=units][value='{tree.school.pk}']")
    page.check(f"input[name=units][value='{tree.school2.pk}']")
    page.fill("#id_text", "计算机教室电源线路裸露，存在安全隐患")
    page.select_option("#id_severity", "major")
    page.click("#save-finding")
    page.wait_for_selector(".finding")
    finding = visit.findings.get()
    page.click(f"#turn-{finding.pk}")
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    form = page.locator(f"#finding-{finding.pk} form.turn-form")
    form.locator("input[name=due_on]").fill(due)
    form.locator("textarea[name=evidence_required]").fill("整改后照片")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(f"#finding-{finding.pk} .item-links")
    items = {i.unit_id: i for i in RectificationItem.objects.filter(finding=finding)}  # scoping: ok
    assert set(items) == {tree.school.pk, tree.school2.pk}
    screenshot(page, "inspections-visit-desktop")

    phone = phone_page
    login(phone, live_server, f"coord-{tree.school.code}")
    phone.goto(live_server.url + reverse("inspections:items"))
    phone.click("#item-table a")
    phone.wait_for_selector("#answer-form")
    assert not has_horizontal_scroll(phone)
    phone.fill("#id_text", "已更换线槽并固定电源线")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    photo = ARTIFACTS / "rectification-photo.png"
    photo.write_bytes(PNG)
    phone.set_input_files("#id_files", str(photo))
    phone.click("#submit-answer")
    phone.wait_for_selector("#answers")
    assert "待核验" in phone.inner_text("#item-status")
    assert not has_horizontal_scroll(phone)
    screenshot(phone, "inspections-answer-phone")

    page.goto(
        live_server.url
        + reverse("inspections:item", kwargs={"rect_item_id": items[tree.school.pk].pk})
    )
    assert "rectification-photo.png" in page.inner_text("#answers")
    page.click("#verify-close")
    page.wait_for_selector("#item-status")
    assert "已销号" in page.inner_text("#item-status")
    items[tree.school.pk].refresh_from_db()
    items[tree.school2.pk].refresh_from_db()
    assert items[tree.school.pk].status == "closed"
    assert items[tree.school2.pk].status == "issued"
    office.close()


def test_inspector_records_a_finding_with_a_photo_on_a_phone(live_server, tree, phone_page):
    from tests.inspections.factories import world

    w = world(tree)
    phone = phone_page
    login(phone, live_server, w.inspector.username)
    phone.goto(live_server.url + reverse("inspections:visit", kwargs={"visit_id": w.visit.pk}))
    phone.click("#add-finding")
    phone.wait_for_selector("#finding-form")
    assert phone.get_attribute("#id_photos", "capture") == "environment"
    phone.check(f"input[name=units][value='{tree.school2.pk}']")
    phone.fill("#id_text", "班班通终端开机率低")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    photo = ARTIFACTS / "finding-photo.png"
    photo.write_bytes(PNG)
    phone.set_input_files("#id_photos", str(photo))
    assert not has_horizontal_scroll(phone)
    screenshot(phone, "inspections-finding-phone")
    phone.click("#save-finding")
    phone.wait_for_selector("#findings .photo-strip img")
    assert "班班通终端开机率低" in phone.inner_text("#findings")
    assert not has_horizontal_scroll(phone)
