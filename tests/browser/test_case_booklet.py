"""The office compiles a booklet from the case library: starts a draft, chooses three published
cases, moves the last one to the top (HTMX), compiles; the booklet run and its PDF run are
executed as a worker would while the card polls; the PDF is downloaded, its first pages rendered
(pdftoppm) and read (pdftotext): the Chinese title on the cover and the table of contents (目录)
listing the case titles in the chosen order. On a 375-px phone the draft page has no sideways
scroll and the up/down buttons work."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.browser.conftest import ARTIFACTS, has_horizontal_scroll, login, screenshot
from tests.cases.factories import published
from tests.tracking_world import pilot_world

pytestmark = pytest.mark.django_db(transaction=True)

TITLES = ["课堂观察的数字化实践", "专递课堂让村小开齐课程", "家校共育平台建设"]


@pytest.fixture
def held_runs(monkeypatch, settings, tmp_path):
    """Runs stay queued until the test runs them, as a busy worker would."""
    from shidian.apps.runs import services

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(services, "_dispatch", lambda run_id: None)


def _cases(tree):
    w = pilot_world(tree)
    return [published(tree, unit, title=t) for unit, t in zip(w.pilots[:3], TITLES, strict=True)]


def _execute(kind: str) -> None:
    from shidian.apps.runs.executor import run_execute
    from shidian.apps.runs.models import Run

    run = Run.objects.filter(kind=kind).order_by("-pk").first()
    assert run is not None, kind
    run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded", (run.error_code, run.error_detail)


def test_office_compiles_a_booklet_and_downloads_the_pdf(
    page, live_server, tree, tmp_path, held_runs
):
    for tool in ("pdftoppm", "pdftotext", "soffice"):
        assert shutil.which(tool), f"{tool} missing: see docs/documents.md, System packages"
    w = pilot_world(tree)
    _cases(tree)
    login(page, live_server, "tw-office")
    page.goto(f"{live_server.url}/cases/programmes/{w.programme.pk}/")
    page.click("#booklets-link")
    assert page.input_value("#booklet-new-title") == f"{w.programme.name}典型案例汇编"
    page.fill("#booklet-new-title", "甲县智慧校园典型案例汇编")
    page.fill("#booklet-new-foreword", "为总结推广试点经验，现将典型案例汇编成册。")
    page.click("#booklet-create")
    page.wait_for_selector("#booklet-empty")

    page.click("#chooser-add")  # nothing chosen
    page.wait_for_selector(".message-error")
    assert "请至少选择一个案例或总结报告" in page.inner_text("main")
    for title in TITLES:
        page.locator("#case-choices li", has_text=title).locator("input").check()
    rows = page.locator("#case-choices li").all_inner_texts()  # the library's order
    shown = [next(title for title in TITLES if title in row) for row in rows]
    page.click("#chooser-add")
    page.wait_for_selector("#booklet-items")
    assert page.locator(".booklet-item-title").all_inner_texts() == shown  # in the order chosen

    # The last chapter to the top, one place at a time, with HTMX (no reload).
    for place in (1, 0):
        page.locator(".booklet-item", has_text=shown[2]).locator(".item-up").click()
        page.wait_for_function(
            "([i, t]) => document.querySelectorAll('.booklet-item-title')[i].innerText === t",
            arg=[place, shown[2]],
        )
    order = [shown[2], shown[0], shown[1]]
    assert page.locator(".booklet-item-title").all_inner_texts() == order
    screenshot(page, "case-booklet-draft")

    page.click("#booklet-compile")
    page.wait_for_selector(".run-card[data-run-status=queued][hx-trigger]")
    _execute("documents.booklet")  # the worker compiles, chapter by chapter
    page.wait_for_selector("#dl-docx", timeout=30_000)  # the card saw the end: page reloaded
    page.wait_for_selector(".run-card[data-run-status=queued][hx-trigger]")  # the PDF's run
    _execute("documents.pdf")
    page.wait_for_selector("#dl-pdf", timeout=30_000)
    assert page.locator(".run-card[data-run-status=succeeded]").count() == 2
    screenshot(page, "case-booklet-compiled")
    with page.expect_download() as download:
        page.click("#dl-pdf")
    pdf = tmp_path / "booklet.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    prefix = ARTIFACTS / "case-booklet-page"
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "3", str(pdf), str(prefix)], check=True
    )
    assert len(list(ARTIFACTS.glob("case-booklet-page-*.png"))) >= 3
    cover = _text(pdf, 1, 1)
    assert "甲县智慧校园" in cover and "典型案例汇编" in cover and "甲县教育局" in cover
    assert "前  言" in _text(pdf, 2, 2).replace("前 言", "前  言")
    toc = _text(pdf, 3, 3)
    assert "目" in toc and "录" in toc
    lines = [ln for ln in toc.splitlines() if ln.strip()]
    found = [next(i for i, ln in enumerate(lines) if t in ln) for t in order]
    assert found == sorted(found), lines  # the chosen order
    assert all(ln.rstrip()[-1].isdigit() for ln in lines if any(t in ln for t in order))


def _text(pdf, first: int, last: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-f", str(first), "-l", str(last), str(pdf), "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout


def test_booklet_draft_on_a_phone(phone_page, live_server, tree, held_runs):
    from shidian.apps.cases import booklets

    w = pilot_world(tree)
    cases = _cases(tree)
    booklet = booklets.booklet_create(by=w.office, programme=w.programme)
    booklets.booklet_add(booklet=booklet, by=w.office, case_ids=[c.pk for c in cases])
    login(phone_page, live_server, "tw-office")
    phone_page.goto(f"{live_server.url}/cases/booklets/{booklet.pk}/")
    assert not has_horizontal_scroll(phone_page)
    phone_page.locator(".booklet-item", has_text=TITLES[0]).locator(".item-down").click()
    phone_page.wait_for_function(
        "t => document.querySelectorAll('.booklet-item-title')[1].innerText === t", arg=TITLES[0]
    )
    assert phone_page.locator(".booklet-item-title").all_inner_texts() == [
        TITLES[1], TITLES[0], TITLES[2],
    ]  # fmt: skip
    assert phone_page.locator(".item-up").first.is_disabled()  # the top one cannot go up
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "case-booklet-phone")
