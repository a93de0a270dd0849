"""A kind end to end: a notice generated from the page gets its PDF through a Run (queued on
commit, run by the task backend, its card on the document's page, the PDF downloadable), with
a stand-in soffice that writes a PDF the way LibreOffice's --convert-to does."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from shidian.apps.documents import jobs
from shidian.apps.documents.models import Document, PdfStatus
from shidian.apps.runs.models import Run, RunStatus
from shidian.docgen import convert
from tests.documents.conftest import example

FAKE = """#!/bin/sh
out=""; prev=""
for a in "$@"; do [ "$prev" = "--outdir" ] && out="$a"; prev="$a"; done
[ -n "$FAIL" ] && { echo "no fonts" >&2; exit 3; }
mkdir -p "$out" && printf '%%PDF-1.4 stand-in\\n' > "$out/document.pdf"
"""


@pytest.fixture
def stand_in_soffice(settings, tmp_path, monkeypatch):
    script = tmp_path / "soffice"
    script.write_text(FAKE)
    script.chmod(0o755)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCUMENTS_SOFFICE = str(script)
    settings.RUNS_PROGRESS_INTERVAL = 0
    # The UNO path needs the real LibreOffice; the stand-in speaks --convert-to only.
    monkeypatch.setattr(convert, "uno_available", lambda *a, **k: False)
    return script


def _generate(office_client):
    data = example("notice")
    return office_client.post(
        reverse("documents:generate"),
        {"kind": "notice", "mode": "json", "data": json.dumps(data, ensure_ascii=False)},
    )


def test_pdf_through_a_run(
    office_client, office_user, stand_in_soffice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _generate(office_client)
    document = Document.objects.get()
    run = Run.objects.about(document).get(kind=jobs.PDF)
    assert run.status == RunStatus.SUCCEEDED and run.created_by == office_user
    assert run.unit == document.unit and run.percent == 100 and run.attempts == 1
    assert document.pdf_status == PdfStatus.DONE and document.pdf
    page = office_client.get(response["Location"]).content.decode()
    assert f'id="run-{run.pk}"' in page and "转换 PDF" in page and 'id="dl-pdf"' in page
    assert "hx-trigger" not in page  # ended: nothing polls
    pdf = office_client.get(reverse("documents:pdf", kwargs={"document_id": document.pk}))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    listing = office_client.get(reverse("runs:list")).content.decode()
    assert f'/runs/{run.pk}/"' in listing


def test_a_failed_pdf_run_is_told_and_retried_from_its_card(
    office_client, stand_in_soffice, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setenv("FAIL", "1")
    with django_capture_on_commit_callbacks(execute=True):
        response = _generate(office_client)
    document = Document.objects.get()
    run = Run.objects.about(document).get(kind=jobs.PDF)
    assert run.status == RunStatus.FAILED and run.error_code == "soffice_failed"
    document.refresh_from_db()
    assert document.pdf_status == PdfStatus.FAILED and not document.pdf
    page = office_client.get(response["Location"]).content.decode()
    assert "LibreOffice 转换失败" in page and "no fonts" in page
    assert "Traceback" not in page and 'class="btn run-retry"' in page
    monkeypatch.delenv("FAIL")
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(
            reverse("runs:retry", kwargs={"run_id": run.pk}), {"next": response["Location"]}
        )
    run.refresh_from_db()
    document.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.attempts == 2
    assert document.pdf_status == PdfStatus.DONE and document.pdf
