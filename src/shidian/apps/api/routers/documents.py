"""Read routes of generated documents (公文): their metadata and the download of the .docx and
.pdf. As on the pages, documents are the offices' (office and leading group accounts, within
their subtree); for any other account the list is empty and every document 404."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from shidian.apps.api.auth import need
from shidian.apps.api.pagination import MAX_OFFSET, PageParams, Text, page
from shidian.apps.api.routers.areas import Paged
from shidian.apps.documents.models import Document
from shidian.apps.documents.selectors import documents_for

router = Router(tags=["documents"])

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "the file",
            "content": {DOCX: {}, "application/pdf": {}},
        }
    }
}


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    number: str
    unit: str
    programme: int | None
    batch: int | None
    subject_unit: str | None
    status: str
    pdf_status: str
    docx: bool
    pdf: bool
    docx_sha256: str
    created_at: str


class DocumentPage(Paged):
    items: list[DocumentOut]


class DocumentFilters(PageParams):
    programme: int | None = Field(None, ge=1, le=MAX_OFFSET)
    kind: Text | None = None
    status: Text | None = None


def document_out(row: Document) -> dict:
    return {
        "id": row.pk,
        "kind": row.kind,
        "title": row.title,
        "number": row.number,
        "unit": row.unit.code,
        "programme": row.programme_id,
        "batch": row.cycle.number if row.cycle_id else None,
        "subject_unit": row.subject_unit.code if row.subject_unit_id else None,
        "status": row.status,
        "pdf_status": row.pdf_status,
        "docx": bool(row.docx),
        "pdf": bool(row.pdf),
        "docx_sha256": row.docx_sha256,
        "created_at": row.created_at.isoformat(),
    }


def visible_documents(request: HttpRequest):
    user = need(request, "documents")
    rows = documents_for(user)
    return rows if getattr(user, "is_office", False) else rows.none()


@router.get("/documents", response=DocumentPage, url_name="documents")
def documents(request: HttpRequest, filters: Query[DocumentFilters]):
    rows = visible_documents(request)
    if filters.programme is not None:
        rows = rows.filter(programme_id=filters.programme)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return page(request, rows, filters, document_out)


@router.get("/documents/{document_id}", response=DocumentOut, url_name="document")
def document(request: HttpRequest, document_id: int):
    return document_out(get_object_or_404(visible_documents(request), pk=document_id))


def _file(field, filename: str, content_type: str) -> FileResponse:
    if not field:
        raise Http404  # not generated (yet)
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )


@router.get("/documents/{document_id}/docx", url_name="document_docx", openapi_extra=FILE_RESPONSE)
def document_docx(request: HttpRequest, document_id: int):
    found = get_object_or_404(visible_documents(request), pk=document_id)
    return _file(found.docx, f"{found.title or found.pk}.docx", DOCX)


@router.get("/documents/{document_id}/pdf", url_name="document_pdf", openapi_extra=FILE_RESPONSE)
def document_pdf(request: HttpRequest, document_id: int):
    found = get_object_or_404(visible_documents(request), pk=document_id)
    return _file(found.pdf, f"{found.title or found.pk}.pdf", "application/pdf")
