"""A very large campaign's export is a Run: the page offers it, the worker makes the same
workbook the page would, with the starter's rights and language; the card offers the file."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from shidian.apps.runs.models import Run, RunStatus
from tests.campaigns import test_dashboard

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(tree, coordinator):
    """Two submitted sheets (the dashboard tests' campaign)."""
    return test_dashboard.filled.__wrapped__(tree, coordinator)


def _rows(data: bytes):
    book = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_large_export_runs_in_the_background(
    office_client,
    tree,
    filled,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    url = reverse("campaigns:export", kwargs={"campaign_id": filled.pk}) + "?table=ranking"
    inline = office_client.get(url).content
    settings.CAMPAIGN_EXPORT_INLINE_MAX = 1
    offer = office_client.get(url).content.decode()
    assert "共 2 份填报表" in offer and 'id="run-offer-start"' in offer
    with django_capture_on_commit_callbacks(execute=True):
        started = office_client.post(url)
    run = Run.objects.get()
    assert started["Location"] == reverse("runs:detail", kwargs={"run_id": run.pk})
    assert run.status == RunStatus.SUCCEEDED and run.result == {"sheets": 2, "table": "ranking"}
    assert run.target_type == "campaigns.campaign" and run.target_id == str(filled.pk)
    page = office_client.get(started["Location"]).content.decode()
    attached = run.files.get()
    download = reverse("runs:file", kwargs={"run_id": run.pk, "file_id": attached.pk})
    assert download in page and "已导出 2 份填报表" in page
    made = b"".join(office_client.get(download).streaming_content)
    assert _rows(made) == _rows(inline)


def test_large_export_in_english_speaks_english(
    office_client,
    tree,
    filled,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CAMPAIGN_EXPORT_INLINE_MAX = 0
    office_client.cookies["shidian_language"] = "en"
    url = reverse("campaigns:export", kwargs={"campaign_id": filled.pk}) + "?table=completeness"
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(url)
    run = Run.objects.get()
    assert run.language == "en"
    with run.files.get().file.open("rb") as fh:
        header = next(iter(_rows(fh.read()).values()))[0]
    assert header[0] == "Code"
    translation.activate("zh-hans")  # the English request left English active in this thread
