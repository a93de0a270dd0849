"""The documents' long work as Run kinds (registered in runkinds.py): PDF conversion and booklet
compilation, and the two requests that steer them from the pages (PDF again, cancel).

Progress, cancel, retry, attempts and errors live on the Run (apps/runs); the Document keeps only
its own outcome: ``status`` (the .docx) and ``pdf_status`` (the PDF), written together with the
file they describe. The old ``progress``, ``cancel_requested``, ``error``, ``pdf_error`` and
``pdf_attempts`` columns are no longer written (they go with a later documents migration).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.services import audit_record
from shidian.apps.documents.models import Document, Kind, PdfStatus, Status
from shidian.apps.documents.rendering import (
    convert_timeout,
    document_filename,
    pdf_available,
    render_document,
    soffice_binary,
    store_docx,
)
from shidian.apps.runs.errors import RunError
from shidian.apps.runs.models import Run, RunStatus
from shidian.apps.runs.selectors import latest_run
from shidian.apps.runs.services import can_retry, run_cancel, run_retry, run_start
from shidian.docgen import convert
from shidian.docgen.errors import ConversionError, DocgenError

log = logging.getLogger(__name__)

PDF = "documents.pdf"
BOOKLET = "documents.booklet"


def _set(document_id: int, **fields: Any) -> None:
    Document.objects.filter(pk=document_id).update(**fields)  # scoping: ok run by id


def _document(run: Run) -> Document:
    document = Document.objects.filter(pk=run.params.get("document_id")).first()  # scoping: ok
    if document is None:
        raise RunError("not_found")
    return document


def _coded(exc: DocgenError) -> RunError:
    return RunError(exc.code, detail=exc.message, **{k: v for k, v in exc.params.items()})


# --- starting (called by services and views) --------------------------------------------------


def pdf_start(*, document: Document, by: Any) -> Run:
    """Queue a PDF conversion of ``document`` (inside the caller's transaction)."""
    _set(document.pk, pdf_status=PdfStatus.QUEUED)
    document.pdf_status = PdfStatus.QUEUED
    return run_start(
        PDF, by=by, unit=document.unit, params={"document_id": document.pk}, subject=document
    )


def booklet_start(*, document: Document, by: Any) -> Run:
    return run_start(
        BOOKLET, by=by, unit=document.unit, params={"document_id": document.pk}, subject=document
    )


@transaction.atomic
def document_request_pdf(*, document: Document, user: Any) -> Run:
    """The PDF again: retry the failed run, or start one when there is none."""
    if document.status != Status.DONE:
        raise ValueError("the .docx is not ready")
    audit_record(actor=user, action="documents.pdf_retry", target=document)
    last = latest_run(user, document, PDF) if user is not None else None
    if last is not None and can_retry(last):
        _set(document.pk, pdf_status=PdfStatus.QUEUED)
        return run_retry(run=last, by=user)
    return pdf_start(document=document, by=user)


@transaction.atomic
def document_cancel(*, document: Document, user: Any) -> Run | None:
    """Cancel the booklet being compiled (its run)."""
    run = Run.objects.restrict(user).about(document).filter(kind=BOOKLET).active().first()
    if run is None:
        return None
    cancelled = run_cancel(run=run, by=user)  # checks who may cancel before anything is written
    audit_record(actor=user, action="documents.cancel", target=document)
    return cancelled


# --- the kinds' bodies ------------------------------------------------------------------------


def convert_pdf(run: Run, progress: Any) -> dict[str, Any]:
    """The PDF of a generated document; booklets get their table of contents filled in first
    (the .docx with the real page numbers replaces the first one)."""
    document = _document(run)
    if document.status != Status.DONE or not document.docx:
        raise RunError("docx_missing")
    _set(document.pk, pdf_status=PdfStatus.RUNNING)
    progress(0, 1, _("正在用 LibreOffice 转换 PDF"), force=True)
    booklet = document.kind == Kind.BOOKLET
    try:
        pdf, docx = _convert(document, toc=booklet)
    except ConversionError as exc:
        raise _coded(exc) from exc
    progress(1, 1, _("正在保存 PDF"))
    with transaction.atomic():
        document.refresh_from_db()
        if docx is not None:
            # The old file leaves storage only once the new one is committed.
            old_docx, storage = document.docx.name, document.docx.storage
            document.docx.save(document_filename(document, "docx"), ContentFile(docx), save=False)
            if old_docx and old_docx != document.docx.name:
                transaction.on_commit(lambda: storage.delete(old_docx), robust=True)
            document.docx_sha256 = ""
        document.pdf.save(document_filename(document, "pdf"), ContentFile(pdf), save=False)
        document.pdf_status = PdfStatus.DONE
        document.save(update_fields=["pdf", "pdf_status", "docx", "docx_sha256"])
    return {"document_id": document.pk, "pdf_bytes": len(pdf)}


def _convert(document: Document, *, toc: bool) -> tuple[bytes, bytes | None]:
    with tempfile.TemporaryDirectory(prefix="shidian-convert-") as tmp:
        src = Path(tmp) / "in.docx"
        with document.docx.open("rb") as fh:
            src.write_bytes(fh.read())
        pdf = Path(tmp) / "out.pdf"
        if toc:
            out_docx = Path(tmp) / "toc.docx"
            convert.update_toc_and_export(
                src,
                docx_out=out_docx,
                pdf_out=pdf,
                soffice=soffice_binary(),
                timeout=convert_timeout(),
            )
            return pdf.read_bytes(), out_docx.read_bytes()
        convert.docx_to_pdf(src, pdf, soffice=soffice_binary(), timeout=convert_timeout())
        return pdf.read_bytes(), None


def build_booklet(run: Run, progress: Any) -> dict[str, Any]:
    """Compile a booklet chapter by chapter (progress per chapter; cancel stops between two),
    store the .docx, then queue its PDF (with the table of contents) as a run of its own."""
    document = _document(run)
    if document.status == Status.DONE and document.docx:
        return {"document_id": document.pk, "chapters": 0}
    _set(document.pk, status=Status.RUNNING)
    progress(0, 0, _("正在编排章节"), force=True)

    def chapters(done: int, total: int) -> None:
        progress(done, total, _("正在编排章节"))

    try:
        docx = render_document(document, progress=chapters)
    except DocgenError as exc:
        raise _coded(exc) from exc
    with transaction.atomic():
        store_docx(document, docx)
        document.status = Status.DONE
        document.save(update_fields=["status"])
        if pdf_available():
            pdf_start(document=document, by=run.created_by)
    return {"document_id": document.pk, "chapters": progress.total}


def booklet_ended(run: Run) -> None:
    """The document tells the same story as its run: failed or cancelled before the .docx."""
    outcome = {RunStatus.FAILED: Status.FAILED, RunStatus.CANCELLED: Status.CANCELLED}
    if run.status in outcome:
        Document.objects.filter(  # scoping: ok run's subject
            pk=run.params.get("document_id"), status__in=[Status.QUEUED, Status.RUNNING]
        ).update(status=outcome[run.status])


def pdf_ended(run: Run) -> None:
    outcome = {RunStatus.FAILED: PdfStatus.FAILED, RunStatus.CANCELLED: PdfStatus.NONE}
    if run.status in outcome:
        Document.objects.filter(  # scoping: ok run's subject
            pk=run.params.get("document_id"), pdf_status__in=[PdfStatus.QUEUED, PdfStatus.RUNNING]
        ).update(pdf_status=outcome[run.status])
