"""The office generates a programme's annual self-evaluation report from the evaluation page:
chooses the year, the Run makes the booklet and its PDF, and both download; the PDF carries the
Chinese title and the five section headings (pdftotext), and its pages are rendered with
pdftoppm into the artifacts folder for a look."""

from __future__ import annotations

import subprocess

import pytest

from tests.browser.conftest import ARTIFACTS, has_horizontal_scroll, login, screenshot
from tests.evaluation.world import evaluation_world

pytestmark = pytest.mark.django_db(transaction=True)
HEADINGS = ("目标任务完成情况", "覆盖情况", "报表报送情况", "整改落实情况", "项目效果评估")


def test_office_generates_and_downloads_the_annual_report(page, phone_page, live_server, tree):
    world = evaluation_world(tree)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server, world.office.username)
    page.goto(f"{live_server.url}/evaluation/programmes/{world.programme.pk}/")
    page.click("#annual-report-link")
    page.wait_for_selector("#annual-form")
    assert "还没有生成过年度自评报告" in page.inner_text("#annual-reports")
    page.select_option("#id_year", "2026")
    page.set_default_timeout(180_000)  # the booklet and its PDF are made before the answer
    page.click("#annual-form button[type=submit]")
    page.wait_for_selector("#annual-reports a:has-text('下载 PDF')")
    assert "2026年度自评报告" in page.inner_text("#annual-reports")
    screenshot(page, "evaluation-annual")
    assert not errors, errors

    with page.expect_download() as info:
        page.click("#annual-reports a:has-text('下载 .docx')")
    assert info.value.suggested_filename.endswith("2026年度自评报告.docx")
    with page.expect_download() as info:
        page.click("#annual-reports a:has-text('下载 PDF')")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "evaluation-annual.pdf"
    info.value.save_as(str(pdf))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())
    assert "2026-2028智慧校园试点2026年度自评报告" in flat
    for heading in HEADINGS:
        assert heading in flat, heading
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / "evaluation-annual-page")],
        check=True,
    )

    login(phone_page, live_server, world.office.username)
    phone_page.goto(f"{live_server.url}/evaluation/programmes/{world.programme.pk}/annual/")
    phone_page.wait_for_selector("#annual-reports a:has-text('下载 PDF')")
    screenshot(phone_page, "evaluation-annual-phone")
    assert not has_horizontal_scroll(phone_page)
