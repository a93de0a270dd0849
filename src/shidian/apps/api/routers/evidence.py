"""Evidence files (佐证材料) through the API: those of a sheet's items (campaigns), of a
report's file fields (reports), and the files a school hands in with a rectification answer
(rectification).

Each route finds the parent object among those the caller sees (the read routes'
``visible_*``), so a file is reachable exactly when its sheet, report or item is; the writes go
through the services the pages call (campaigns.evidence, reports.services.filing,
inspections.services.rectification), which check who may, the parent's state, and the file
(``evidence.files.check_upload``: type by its bytes, 20 MB). An upload or a removal changes
the parent: it takes the parent's ``If-Match`` and answers its new ``ETag``.
"""

from __future__ import annotations

import mimetypes
from typing import Annotated

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import StringConstraints

from shidian.apps.api import scopes
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import NO_NUL
from shidian.apps.api.routers.areas import (
    RectificationOut,
    rectification_out,
    visible_items,
    visible_sheets,
)
from shidian.apps.api.routers.report_filing import visible_reports
from shidian.apps.api.writes import if_match, write
from shidian.apps.campaigns import evidence as sheet_evidence
from shidian.apps.evidence.models import Evidence
from shidian.apps.inspections.models import AnswerFile
from shidian.apps.inspections.services import rectification
from shidian.apps.reports.services import filing

router = Router()

Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NO_NUL)]
Text = Annotated[str, StringConstraints(max_length=20000, pattern=NO_NUL)]


class EvidenceOut(Schema):
    id: int
    code: str | None = Field(
        description="the item code (sheet) or field code (report); null for a rectification file"
    )
    filename: str
    size: int
    content_type: str
    kind: str
    uploaded_at: str
    uploader: str | None = Field(description="the uploading account's username")


class EvidenceList(Schema):
    count: int
    items: list[EvidenceOut]


FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "the file, with its Content-Type and Content-Disposition",
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    }
}


def content_type_of(name: str) -> str:
    """The type of an accepted file follows from its name (the checks made the bytes match)."""
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _user_name(user) -> str | None:
    return user.get_username() if user is not None else None


def evidence_out(row: Evidence) -> dict:
    return {
        "id": row.pk,
        "code": row.item_code,
        "filename": row.original_name,
        "size": row.size,
        "content_type": content_type_of(row.original_name),
        "kind": row.kind,
        "uploaded_at": row.created_at.isoformat(),
        "uploader": _user_name(row.uploaded_by),
    }


def answer_file_out(row: AnswerFile) -> dict:
    return {
        "id": row.pk,
        "code": None,
        "filename": row.original_name,
        "size": row.size,
        "content_type": content_type_of(row.original_name),
        "kind": row.kind,
        "uploaded_at": row.answer.at.isoformat(),
        "uploader": _user_name(row.answer.by),
    }


def listed(rows, out) -> dict:
    items = [out(row) for row in rows]
    return {"count": len(items), "items": items}


def file_download(row) -> FileResponse:
    try:
        handle = row.file.open("rb")
    except FileNotFoundError as exc:  # the row outlived its file: nothing to give
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=row.original_name,
        content_type=content_type_of(row.original_name),
    )


def files_of(submission) -> list[Evidence]:
    return list(
        Evidence.objects.filter(submission=submission)  # scoping: ok the parent is visible
        .select_related("uploaded_by")
        .order_by("item_code", "created_at", "pk")
    )


def evidence_of(submission, evidence_id: int) -> Evidence:
    return get_object_or_404(
        Evidence.objects.filter(submission=submission).select_related(  # scoping: ok parent
            "uploaded_by", "submission"
        ),
        pk=evidence_id,
    )


def answer_after_change(
    response: HttpResponse, request: HttpRequest, rows, parent_id: int, evidence_id
):
    """The new ETag of the parent, and (after an upload) the new file's metadata."""
    parent = get_object_or_404(rows, pk=parent_id)
    response["ETag"] = etag_of(parent)
    if evidence_id is None:
        return None
    return evidence_out(evidence_of(parent, evidence_id))


def upload_description(what: str | None = None) -> dict:
    """The ``openapi_extra`` of an upload: If-Match and the multipart parts (``code``: what
    it names, when the route takes one)."""
    extra = if_match()
    parts = "``file`` (the file)" + (f" and ``code`` ({what})" if what else "")
    # ninja writes the multipart schema from the File and Form parameters.
    extra["requestBody"] = {"description": f"multipart: {parts}"}
    return extra


# sheets (campaigns) -------------------------------------------------------------------------


@router.get(
    "/sheets/{sheet_id}/evidence",
    response=EvidenceList,
    url_name="sheet_evidence",
    tags=["campaigns"],
)
def sheet_evidence_list(request: HttpRequest, sheet_id: int):
    """The evidence files of a sheet, by item code: metadata only (download each by id)."""
    found = get_object_or_404(visible_sheets(request), pk=sheet_id)
    return listed(files_of(found), evidence_out)


@router.post(
    "/sheets/{sheet_id}/evidence",
    response={201: EvidenceOut},
    url_name="sheet_evidence_upload",
    openapi_extra=upload_description("the scoring item's code"),
    tags=["campaigns"],
)
def sheet_evidence_upload(
    request: HttpRequest,
    response: HttpResponse,
    sheet_id: int,
    file: File[UploadedFile],
    code: Form[Code],
):
    """Attach one evidence file to an item of the caller's own sheet (the unit's accounts,
    while the sheet may be changed), as the sheet page does. The sheet's ``If-Match``; the
    answer is the file's metadata and the sheet's new ``ETag``. Refusals: 422 ``file_type``
    (not an image, PDF or Office file, or its bytes do not match its name), 422
    ``file_too_large`` (over 20 MB), 422 ``unknown_item``; 409 ``not_editable`` (submitted
    or accepted), ``closed``, ``late``; 403 ``forbidden`` for an account that may see the
    sheet but not fill it. Nothing is stored then."""
    stored: list[Evidence] = []

    def act(row):
        stored.append(
            sheet_evidence.evidence_add(sheet=row, user=request.user, item_code=code, upload=file)
        )

    rows = visible_sheets(request, scopes.WRITE)
    write(request, rows, sheet_id, act)
    answer = answer_after_change(response, request, visible_sheets(request), sheet_id, stored[0].pk)
    return Status(201, answer)


@router.get(
    "/sheets/{sheet_id}/evidence/{evidence_id}",
    url_name="sheet_evidence_file",
    openapi_extra=FILE_RESPONSE,
    tags=["campaigns"],
)
def sheet_evidence_file(request: HttpRequest, sheet_id: int, evidence_id: int):
    """Download one evidence file of the sheet (404 outside the caller's sheets)."""
    found = get_object_or_404(visible_sheets(request), pk=sheet_id)
    return file_download(evidence_of(found, evidence_id))


@router.delete(
    "/sheets/{sheet_id}/evidence/{evidence_id}",
    response={204: None},
    url_name="sheet_evidence_remove",
    openapi_extra=if_match(),
    tags=["campaigns"],
)
def sheet_evidence_remove(
    request: HttpRequest, response: HttpResponse, sheet_id: int, evidence_id: int
):
    """Remove one evidence file, with the sheet's ``If-Match``, under the same rules as the
    page (the unit's accounts, while the sheet may be changed: 409 ``not_editable`` once
    submitted); answers 204 with the sheet's new ``ETag``."""

    def act(row):
        sheet_evidence.evidence_delete(evidence=evidence_of(row, evidence_id), user=request.user)

    write(request, visible_sheets(request, scopes.WRITE), sheet_id, act)
    answer_after_change(response, request, visible_sheets(request), sheet_id, None)
    return Status(204, None)


# reports ------------------------------------------------------------------------------------


@router.get(
    "/report-submissions/{submission_id}/evidence",
    response=EvidenceList,
    url_name="report_evidence",
    tags=["reports"],
)
def report_evidence_list(request: HttpRequest, submission_id: int):
    """The files of a report's file fields, by field code: metadata only."""
    found = get_object_or_404(visible_reports(request), pk=submission_id)
    return listed(files_of(found), evidence_out)


@router.post(
    "/report-submissions/{submission_id}/evidence",
    response={201: EvidenceOut},
    url_name="report_evidence_upload",
    openapi_extra=upload_description("the file field's code"),
    tags=["reports"],
)
def report_evidence_upload(
    request: HttpRequest,
    response: HttpResponse,
    submission_id: int,
    file: File[UploadedFile],
    code: Form[Code],
):
    """Upload one file to a file field of the unit's report, as the fill page does: the
    field's value becomes the file's name, in one revision. The report's ``If-Match``; the
    answer is the file's metadata and the report's new ``ETag``. Refusals as for a sheet's
    evidence: 422 ``file_type``, ``file_too_large``, ``unknown_item`` (not a file field of the
    form), 409 ``not_editable`` once submitted, 403 ``forbidden`` for the office."""
    stored: list[Evidence] = []

    def act(row):
        row.round._report_period = row.round.report_period
        stored.append(
            filing.report_attach(submission=row, user=request.user, code=code, upload=file)
        )

    write(request, visible_reports(request, scopes.WRITE), submission_id, act)
    answer = answer_after_change(
        response, request, visible_reports(request), submission_id, stored[0].pk
    )
    return Status(201, answer)


@router.get(
    "/report-submissions/{submission_id}/evidence/{evidence_id}",
    url_name="report_evidence_file",
    openapi_extra=FILE_RESPONSE,
    tags=["reports"],
)
def report_evidence_file(request: HttpRequest, submission_id: int, evidence_id: int):
    """Download one file of the report (404 outside the caller's reports)."""
    found = get_object_or_404(visible_reports(request), pk=submission_id)
    return file_download(evidence_of(found, evidence_id))


@router.delete(
    "/report-submissions/{submission_id}/evidence/{evidence_id}",
    response={204: None},
    url_name="report_evidence_remove",
    openapi_extra=if_match(),
    tags=["reports"],
)
def report_evidence_remove(
    request: HttpRequest, response: HttpResponse, submission_id: int, evidence_id: int
):
    """Remove one file, with the report's ``If-Match``, as the fill page does: the field's
    value names the file left, or is cleared; 409 ``not_editable`` once submitted."""

    def act(row):
        row.round._report_period = row.round.report_period
        filing.report_detach(evidence=evidence_of(row, evidence_id), user=request.user)

    write(request, visible_reports(request, scopes.WRITE), submission_id, act)
    answer_after_change(response, request, visible_reports(request), submission_id, None)
    return Status(204, None)


# rectification ------------------------------------------------------------------------------


def _answer_files(item) -> list[AnswerFile]:
    return list(
        AnswerFile.objects.filter(answer__item=item)  # scoping: ok the item is visible
        .select_related("answer__by")
        .order_by("answer__at", "pk")
    )


@router.get(
    "/rectification-items/{rect_item_id}/evidence",
    response=EvidenceList,
    url_name="rectification_evidence",
    tags=["rectification"],
)
def rectification_evidence_list(request: HttpRequest, rect_item_id: int):
    """The files handed in with the item's answers, oldest answer first: metadata only."""
    found = get_object_or_404(visible_items(request), pk=rect_item_id)
    return listed(_answer_files(found), answer_file_out)


@router.post(
    "/rectification-items/{rect_item_id}/evidence",
    response=RectificationOut,
    url_name="rectification_evidence_answer",
    openapi_extra={
        **if_match(),
        "requestBody": {
            "description": "multipart: ``text`` (what was done) and one or more ``file`` parts"
        },
    },
    tags=["rectification"],
)
def rectification_evidence_answer(
    request: HttpRequest,
    response: HttpResponse,
    rect_item_id: int,
    text: Form[Text],
    file: File[list[UploadedFile]],
):
    """The responsible school answers the item with its evidence files, as the item page's
    answer form does (one to ten ``file`` parts and the ``text``): the files belong to that
    answer, which the office then verifies, so they are neither added nor removed later.
    The item's ``If-Match``; the answer is the item with its new ``ETag``. Refusals: 422
    ``file_type`` / ``file_too_large`` (each bad file named in ``details``), 422 ``refused``
    (no text, too many files), 409 ``not_allowed`` when the item is not waiting for the
    school, 403 ``forbidden`` for anyone but the school's own accounts."""

    def act(row):
        rectification.item_answer(by=request.user, item=row, text=text, files=list(file))

    rows = visible_items(request, scopes.WRITE).select_related("owner", "programme")
    write(request, rows, rect_item_id, act)
    found = get_object_or_404(visible_items(request), pk=rect_item_id)
    response["ETag"] = etag_of(found)
    return rectification_out(found)


@router.get(
    "/rectification-items/{rect_item_id}/evidence/{rect_file_id}",
    url_name="rectification_evidence_file",
    openapi_extra=FILE_RESPONSE,
    tags=["rectification"],
)
def rectification_evidence_file(request: HttpRequest, rect_item_id: int, rect_file_id: int):
    """Download one file of the item's answers (404 outside the caller's items)."""
    found = get_object_or_404(visible_items(request), pk=rect_item_id)
    row = get_object_or_404(
        AnswerFile.objects.filter(answer__item=found),  # scoping: ok the item is visible
        pk=rect_file_id,
    )
    return file_download(row)
