"""Writes that run in the background or steer it: PDF conversion, booklet compilation, retry and
cancel. Split from services.py (generation, templates, numbers) to keep modules small; tasks.py
calls these with ids."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from shidian.apps.core.services import audit_record
from shidian.apps.documents.models import Document, Kind, PdfStatus, Status
from shidian.apps.documents.services import (
    _enqueue,
    _filename,
    _render,
    _store_docx,
    convert_timeout,
    pdf_available,
    soffice_binary,
)
from shidian.docgen import convert
from shidian.docgen.errors import ConversionError, DocgenError

log = logging.getLogger(__name__)


class Cancelled(Exception):
    pass


# --- PDF and booklets (run by tasks) ---------------------------------------------------------


def _set(document_id: int, **fields: Any) -> None:
    Document.objects.filter(pk=document_id).update(**fields)  # scoping: ok task by id


@transaction.atomic
def document_request_pdf(*, document: Document, user: Any) -> Document:
    """Queue (again) the PDF conversion; used by the retry button after a failure."""
    if document.status != Status.DONE:
        raise ValueError("the .docx is not ready")
    document.pdf_status = PdfStatus.QUEUED
    document.pdf_error = ""
    document.save(update_fields=["pdf_status", "pdf_error"])
    transaction.on_commit(lambda: _enqueue("convert_pdf", document.pk))
    audit_record(actor=user, action="documents.pdf_retry", target=document)
    return document


def document_convert_pdf(*, document_id: int) -> None:
    document = Document.objects.get(pk=document_id)  # scoping: ok task by id
    if document.status != Status.DONE or not document.docx:
        return
    attempts = document.pdf_attempts + 1
    _set(document_id, pdf_status=PdfStatus.RUNNING, pdf_attempts=attempts)
    try:
        pdf = _convert(document, toc=document.kind == Kind.BOOKLET)
    except ConversionError as exc:
        log.warning("PDF conversion of document %s failed: %s", document_id, exc)
        _set(document_id, pdf_status=PdfStatus.FAILED, pdf_error=f"{exc.code}: {exc.message}")
        return
    document.refresh_from_db()
    document.pdf.save(_filename(document, "pdf"), ContentFile(pdf), save=False)
    document.pdf_status = PdfStatus.DONE
    document.pdf_error = ""
    document.save(update_fields=["pdf", "pdf_status", "pdf_error"])


def _convert(document: Document, *, toc: bool, docx_back: bool = False) -> bytes:
    with tempfile.TemporaryDirectory(prefix="shidian-convert-") as tmp:
        src = Path(tmp) / "in.docx"
        with document.docx.open("rb") as fh:
            src.write_bytes(fh.read())
        pdf = Path(tmp) / "out.pdf"
        if toc:
            out_docx = Path(tmp) / "toc.docx" if docx_back else None
            convert.update_toc_and_export(
                src,
                docx_out=out_docx,
                pdf_out=pdf,
                soffice=soffice_binary(),
                timeout=convert_timeout(),
            )
            if out_docx is not None:
                # The .docx with the table of contents filled in replaces the first one.
                document.docx.delete(save=False)
                document.docx.save(
                    _filename(document, "docx"), ContentFile(out_docx.read_bytes()), save=False
                )
        else:
            convert.docx_to_pdf(src, pdf, soffice=soffice_binary(), timeout=convert_timeout())
        return pdf.read_bytes()


def booklet_build(*, document_id: int) -> None:
    """Compile a booklet: chapters with progress and cancellation, then TOC and PDF."""
    document = Document.objects.get(pk=document_id)  # scoping: ok task by id
    if document.status not in {Status.QUEUED, Status.RUNNING} or document.cancel_requested:
        if document.cancel_requested:
            _set(document_id, status=Status.CANCELLED)
        return
    _set(document_id, status=Status.RUNNING, progress=1, error="")
    last = [timezone.now()]

    def progress(done: int, total: int) -> None:
        now = timezone.now()
        if done == total or (now - last[0]) > dt.timedelta(seconds=0.5):
            last[0] = now
            _set(document_id, progress=max(1, int(80 * done / total)))
            if Document.objects.filter(
                pk=document_id, cancel_requested=True
            ).exists():  # scoping: ok
                raise Cancelled

    try:
        docx = _render(document, progress=progress)
    except Cancelled:
        _set(document_id, status=Status.CANCELLED)
        return
    except DocgenError as exc:
        _set(document_id, status=Status.FAILED, error=f"{exc.code}: {exc.message}")
        return
    _store_docx(document, docx)
    _set(document_id, status=Status.DONE, progress=85)
    if not pdf_available():
        _set(document_id, progress=100)
        return
    _set(document_id, pdf_status=PdfStatus.RUNNING, pdf_attempts=document.pdf_attempts + 1)
    document.refresh_from_db()
    try:
        pdf = _convert(document, toc=True, docx_back=True)
    except ConversionError as exc:
        _set(
            document_id,
            pdf_status=PdfStatus.FAILED,
            pdf_error=f"{exc.code}: {exc.message}",
            progress=100,
        )
        return
    document.pdf.save(_filename(document, "pdf"), ContentFile(pdf), save=False)
    document.pdf_status = PdfStatus.DONE
    document.progress = 100
    document.docx_sha256 = ""
    document.save(update_fields=["pdf", "pdf_status", "progress", "docx", "docx_sha256"])


@transaction.atomic
def document_cancel(*, document: Document, user: Any) -> Document:
    document.cancel_requested = True
    if document.status == Status.QUEUED:
        document.status = Status.CANCELLED
    document.save(update_fields=["cancel_requested", "status"])
    audit_record(actor=user, action="documents.cancel", target=document)
    return document
