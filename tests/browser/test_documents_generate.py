"""Documents in a browser: generate the demo notice from the form, download it; a booklet's
status card polls with HTMX until it is done; a phone shows the pages without sideways scroll."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.documents.conftest import EXAMPLES


@pytest.fixture(autouse=True)
def no_libreoffice(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCUMENTS_SOFFICE = "/nonexistent/soffice"  # .docx only: fast, and the hint shows


@pytest.mark.django_db(transaction=True)
def test_generate_notice_from_the_form(page, live_server, office_user):
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/documents/")
    assert "libreoffice-writer-nogui" in page.inner_text("main")
    page.click("text=生成通知")
    page.wait_for_load_state("networkidle")
    # The form starts from the user's unit and today.
    assert page.input_value("#id_issuer") == "甲县教育局"
    assert page.input_value("#id_prefix") == "甲教发"
    assert page.input_value("#id_date")
    screenshot(page, "documents-generate-form")
    page.click("#generate-form button[type=submit]:not([name])")
    page.wait_for_load_state("networkidle")
    assert "请填写标题" in page.inner_text("#generate-form")  # next to the field
    page.fill("#id_title", "关于开展智慧校园创建工作的通知")
    page.fill("#id_body", "一、总体要求\n坚持先试点、后推广。")
    page.fill("#id_attachment_title", "创建学校名单")
    page.fill("#id_attachment_table", "序号\t学校名称\n1\t甲县第一小学")
    page.click("#generate-form button[type=submit]:not([name])")
    page.wait_for_load_state("networkidle")
    assert "公文已生成" in page.inner_text("main")
    assert "甲教发〔" in page.inner_text("main")
    with page.expect_download() as download:
        page.click("#dl-docx")
    assert download.value.suggested_filename.endswith(".docx")
    screenshot(page, "documents-detail")


@pytest.mark.django_db(transaction=True)
def test_generate_notice_from_json(page, live_server, office_user):
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/documents/new/?kind=notice")
    page.click("#mode-json")
    page.wait_for_load_state("networkidle")
    assert "智慧校园创建学校名单" in page.input_value("#id_data")
    page.fill("#id_prefix", "蒲教发")
    page.click("#generate-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "公文已生成" in page.inner_text("main")


@pytest.mark.django_db(transaction=True)
def test_booklet_status_card(page, live_server, office_user):
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/documents/new/?kind=booklet&example=1")
    assert page.input_value("#id_chapters").startswith("# ")
    # The example data names two photos: upload them with the form.
    page.set_input_files("#id_images", [str(p) for p in sorted(EXAMPLES.glob("photo*.jpg"))])
    page.click("#generate-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    # The test backend runs the task at once; the card shows the final state and stops polling.
    page.wait_for_selector("#doc-state")
    assert page.locator(".run-card[data-run-status=succeeded]").count() == 1  # its Run's card
    assert page.locator(".run-card[hx-trigger]").count() == 0
    assert page.locator("#dl-docx").count() == 1
    screenshot(page, "documents-booklet")


@pytest.mark.django_db(transaction=True)
def test_documents_on_a_phone(phone_page, live_server, office_user):
    login(phone_page, live_server, "office")
    phone_page.goto(f"{live_server.url}/documents/new/?kind=notice&example=1")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "documents-generate-phone")
    phone_page.goto(f"{live_server.url}/documents/new/?kind=notice&mode=json")
    assert not has_horizontal_scroll(phone_page)
