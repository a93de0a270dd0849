"""A coordinator fills a sheet in the browser (autosave survives a reload), submits; the office
returns it with a comment; the coordinator fixes and resubmits; the ranking follows. Then the
same through the offline workbook, and the sheet on a phone."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shidian.apps.campaigns.models import Evidence, Sheet
from tests.browser.conftest import DESKTOP, PHONE, has_horizontal_scroll, login, screenshot
from tests.campaigns.factories import campaign, full_answers, sheet, xlsx_bytes

pytestmark = pytest.mark.django_db(transaction=True)
LEFT = ("D1.1.3", "D1.1.2")  # a level item and a number item left for the browser


def _prepare(tree, coordinator):
    from shidian.apps.campaigns import sheets

    target = sheet(tree)
    standard = target.campaign.version.as_standard()
    answers = {k: v for k, v in full_answers(standard).items() if k not in LEFT}
    sheets.sheet_save_all(sheet=target, user=coordinator, answers=answers, base_version=0)
    for item in standard.items():
        if item.evidence_required:
            Evidence.objects.create(
                submission=target,
                item_code=item.code,
                file="x.pdf",
                original_name="x.pdf",
                kind="pdf",
                size=1,
            )
    return Sheet.objects.get(pk=target.pk)


def _wait_saved(page, code):
    page.wait_for_selector(f'[id="item-{code}"] .item-state.ok')


def test_fill_reload_submit_return_resubmit_rank(
    browser, live_server, tree, coordinator, office_user
):
    target = _prepare(tree, coordinator)
    url = f"{live_server.url}/campaigns/sheets/{target.pk}/"
    coord = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = coord.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, "coord")
    page.goto(url)
    page.select_option('select[name="a-D1.1.3"]', "B")
    _wait_saved(page, "D1.1.3")
    page.fill('input[name="a-D1.1.2"]', "600")
    page.locator('input[name="a-D1.1.2"]').blur()
    _wait_saved(page, "D1.1.2")
    total_before_reload = page.inner_text("#sheet-total")
    page.reload()
    assert page.locator('select[name="a-D1.1.3"]').input_value() == "B"
    assert page.locator('input[name="a-D1.1.2"]').input_value() == "600"
    assert page.inner_text("#sheet-total") == total_before_reload
    screenshot(page, "campaign-sheet-filled")
    page.click("#submit-sheet")
    page.wait_for_load_state("networkidle")
    assert "已提交" in page.inner_text("#sheet-status")
    assert page.locator('select[name="a-D1.1.3"]').is_disabled()

    office = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk = office.new_page()
    desk.on("dialog", lambda dialog: dialog.accept())
    login(desk, live_server, "office")
    desk.goto(url)
    desk.fill('textarea[name="c-D1.1.3"]', "无线网络只覆盖教学区，应评C")
    desk.click("#return-form button.btn-danger")
    desk.wait_for_load_state("networkidle")
    assert "已退回" in desk.inner_text("#sheet-status")

    page.reload()
    assert "应评C" in page.inner_text('[id="item-D1.1.3"]')
    page.select_option('select[name="a-D1.1.3"]', "C")
    _wait_saved(page, "D1.1.3")
    page.click("#submit-sheet")
    page.wait_for_load_state("networkidle")
    assert "已重新提交" in page.inner_text("#sheet-status")

    target.refresh_from_db()
    desk.goto(f"{live_server.url}/campaigns/{target.campaign_id}/ranking/")
    row = desk.locator("table.ranking tbody tr").first
    assert "甲县第一小学" in row.inner_text()
    assert f"{target.total:g}" in row.inner_text()
    screenshot(desk, "campaign-ranking")
    coord.close()
    office.close()


def test_offline_workbook_round_trip_in_the_browser(page, live_server, tree, coordinator, tmp_path):
    target = _prepare(tree, coordinator)
    login(page, live_server, "coord")
    page.goto(f"{live_server.url}/campaigns/sheets/{target.pk}/")
    with page.expect_download() as info:
        page.click("text=下载本单位 Excel 表格")
    wb = load_workbook(io.BytesIO(info.value.path().read_bytes()))
    for row in wb["自查表"].iter_rows(min_row=4):
        if row[0].value == "D1.1.3":
            row[7].value = "A"
        if row[0].value == "D1.1.2":
            row[7].value = 1000
    path = tmp_path / "filled.xlsx"
    path.write_bytes(xlsx_bytes(wb))
    page.click("text=上传填好的表格")
    page.set_input_files("#id_file", str(path))
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#upload-diff")
    assert "D1.1.3" in page.inner_text("#upload-diff")
    page.click("#apply-upload")
    page.wait_for_load_state("networkidle")
    assert page.locator('select[name="a-D1.1.3"]').input_value() == "A"
    assert page.locator('input[name="a-D1.1.2"]').input_value() == "1000"


def test_sheet_on_a_phone(phone_page, live_server, tree, coordinator):
    target = sheet(tree)
    login(phone_page, live_server, "coord")
    phone_page.goto(f"{live_server.url}/campaigns/sheets/{target.pk}/")
    phone_page.select_option('select[name="a-D1.1.3"]', "A")
    _wait_saved(phone_page, "D1.1.3")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "campaign-sheet-phone")
    assert Sheet.objects.get(pk=target.pk).answers["D1.1.3"] == {"value": "A"}


def test_dashboard_charts_render(page, live_server, tree, office_user):
    opened = campaign(tree)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/campaigns/{opened.pk}/analysis/")
    page.wait_for_load_state("networkidle")
    assert not errors, errors
    screenshot(page, "campaign-analysis")


def test_closing_the_tab_right_after_typing_loses_nothing(browser, live_server, tree, coordinator):
    target = sheet(tree)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server, "coord")
    page.goto(f"{live_server.url}/campaigns/sheets/{target.pk}/")
    page.locator('input[name="a-D1.1.2"]').press_sequentially("750")  # debounce still pending
    page.close(run_before_unload=True)
    import time

    for _ in range(50):
        if Sheet.objects.get(pk=target.pk).answers.get("D1.1.2"):
            break
        time.sleep(0.1)
    context.close()
    assert Sheet.objects.get(pk=target.pk).answers["D1.1.2"] == {"value": 750}


def test_office_opens_a_campaign_with_the_form(browser, live_server, tree, office_user):
    from shidian.apps.campaigns.models import Campaign
    from tests.standards.factories import published_version

    version = published_version(tree.county)
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        login(page, live_server, "office")
        page.goto(f"{live_server.url}/campaigns/new/")
        # The dates arrive filled in: the inputs accepted the values the server rendered.
        assert page.locator("#id_opens_on").input_value()
        assert page.locator("#id_deadline").input_value()
        if name == "phone":
            assert not has_horizontal_scroll(page)
        screenshot(page, f"campaign-create-{name}")
        page.fill("#id_name", f"浏览器发起 {name}")
        page.select_option("#id_version", str(version.pk))
        page.click("#publish-campaign")
        page.wait_for_load_state("networkidle")
        assert f"浏览器发起 {name}" in page.inner_text("h1"), page.inner_text("main")
        context.close()
    assert Campaign.objects.filter(name__startswith="浏览器发起").count() == 2


def test_the_campaign_list_reads_on_a_phone(phone_page, live_server, tree, coordinator):
    target = sheet(tree)
    login(phone_page, live_server, "coord")
    phone_page.goto(f"{live_server.url}/campaigns/")
    assert not has_horizontal_scroll(phone_page)
    row = phone_page.locator("#my-sheets tbody tr").first
    for cell in row.locator("td").all():
        box = cell.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, cell.inner_text()
    text = row.inner_text()
    deadline = target.campaign.deadline
    from django.utils import timezone

    assert timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M") in text
    assert "未填报" in text
    # Each value carries its label (drawn from data-label, since the header row is hidden).
    for label in ("截止时间", "状态", "自评总分"):
        assert row.locator(f'td[data-label="{label}"]').is_visible()
    assert not phone_page.locator("#my-sheets thead").is_visible()
    screenshot(phone_page, "campaign-list-phone")


def test_a_very_long_evidence_file_name_is_shortened_before_upload(
    page, live_server, tree, coordinator, settings, tmp_path
):
    # Sent as is, a 10,000-character name overflows the upload's part header and Django
    # answers a bare 400 before any view runs; campaigns.js shortens it first.
    settings.MEDIA_ROOT = tmp_path
    target = sheet(tree)
    login(page, live_server, "coord")
    page.goto(f"{live_server.url}/campaigns/sheets/{target.pk}/")
    page.set_input_files(
        'input[form="ev-D1.1.1"]',
        files=[
            {"name": "a" * 10_000 + ".pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}
        ],
    )
    page.click('button[form="ev-D1.1.1"]')
    page.wait_for_load_state("networkidle")
    assert "佐证材料已上传" in page.inner_text("main")
    evidence = Evidence.objects.get(submission=target)
    assert evidence.original_name == "a" * 251 + ".pdf"
