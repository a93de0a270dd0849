"""Long work in a browser: the office exports a large unit list, which becomes a Run; its card
polls with HTMX while the run waits and works, and reaches done with the download, without a
reload by hand. On a phone the card fits without sideways scroll."""

from __future__ import annotations

import pytest

from tests.browser.conftest import has_horizontal_scroll, login, screenshot


@pytest.fixture
def held_runs(monkeypatch, settings, tmp_path):
    """Runs stay queued until the test runs them, as a busy worker would."""
    from shidian.apps.runs import services

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ORGS_EXPORT_INLINE_MAX = 0  # every export is "large"
    monkeypatch.setattr(services, "_dispatch", lambda run_id: None)


@pytest.mark.django_db(transaction=True)
def test_export_run_card_reaches_done(page, live_server, office_user, held_runs):
    from shidian.apps.runs.executor import run_execute
    from shidian.apps.runs.models import Run

    login(page, live_server, "office")
    page.goto(f"{live_server.url}/units/")
    page.click("#export-link")
    page.wait_for_load_state("networkidle")
    assert "后台生成" in page.inner_text("main")
    page.click("#run-offer-start")
    page.wait_for_selector(".run-card[data-run-status=queued][hx-trigger]")
    assert "等待后台处理" in page.inner_text(".run-card")
    screenshot(page, "runs-card-queued")
    run = Run.objects.get()
    run_execute(run_id=run.pk)  # the worker picks it up
    page.wait_for_selector(".run-card[data-run-status=succeeded]", timeout=10_000)
    assert page.locator(".run-card[hx-trigger]").count() == 0  # polling stopped
    assert "已导出" in page.inner_text(".run-card")
    with page.expect_download() as download:
        page.click(".run-file")
    assert download.value.suggested_filename.endswith(".xlsx")
    screenshot(page, "runs-card-done")
    page.goto(f"{live_server.url}/runs/")
    assert "导出单位" in page.inner_text("#run-table")


@pytest.mark.django_db(transaction=True)
def test_runs_pages_on_a_phone(phone_page, live_server, office_user, held_runs):
    login(phone_page, live_server, "office")
    phone_page.goto(f"{live_server.url}/units/export.xlsx")
    phone_page.click("#run-offer-start")
    phone_page.wait_for_selector(".run-card")
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "runs-card-phone")
    phone_page.goto(f"{live_server.url}/runs/")
    assert not has_horizontal_scroll(phone_page)
