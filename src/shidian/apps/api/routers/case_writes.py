"""Writes of typical cases (cases:write), as on the case pages: the office opens a case call
(one submission per pilot); the pilot school saves its case (title, summary, body, subject,
theme) and submits it; the office returns it with a reason, sends it to experts or accepts it
(accepting publishes the case into ``GET /cases``); an expert sent the case gives an opinion.

The school also uploads and removes the case's images and attachments (``/files``, checked as
on the page: images must be images). Each write goes through ``cases.services`` (which leaves
every state change to ``submissions.services``), under ``If-Match``, and answers the submission as
``GET /case-submissions/{id}`` does with its new ETag. Reads follow the pages: a submission is
seen by its school, the office above it and the experts it was sent to; an expert sees only
their own opinion, the office every one (``CaseOpinion``'s policy)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, StringConstraints

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import MAX_OFFSET, NO_NUL, PageParams, Text, page
from shidian.apps.api.routers.areas import Paged
from shidian.apps.api.routers.evidence import (
    FILE_RESPONSE,
    EvidenceList,
    EvidenceOut,
    answer_after_change,
    evidence_of,
    evidence_out,
    file_download,
    files_of,
    listed,
    upload_description,
)
from shidian.apps.api.writes import if_match, refused, write
from shidian.apps.cases import services
from shidian.apps.cases.kinds import ITEMS, KIND
from shidian.apps.cases.models import Case, CaseOpinion
from shidian.apps.cases.selectors import case_calls
from shidian.apps.core.access import MANAGE, VIEW, get_scoped_or_404
from shidian.apps.evidence.models import Evidence
from shidian.apps.notifications.links import request_base_url
from shidian.apps.programmes.models import Programme
from shidian.apps.submissions.models import Round, Submission

router = Router(tags=["cases"])

# The services' own limits (kinds.ITEMS) are what the page tells; these bounds only keep a body
# from being absurd.
Field_ = Annotated[str, StringConstraints(max_length=60000, pattern=NO_NUL)]
Short = Annotated[str, StringConstraints(max_length=4000, pattern=NO_NUL)]
Id = Annotated[int, Field(ge=1, le=MAX_OFFSET)]
FileCode = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NO_NUL)]


class CallOut(Schema):
    id: int
    programme: int | None
    name: str
    opens_on: str
    deadline: str
    status: str
    submissions: int
    created_at: str


class CallPage(Paged):
    items: list[CallOut]


class CallIn(Schema):
    """As the programme's case page: a name, and the last day (default in 30 days)."""

    name: Short = ""
    due: dt.date | None = None


class OpinionOut(Schema):
    expert: str
    verdict: str
    comment: str
    updated_at: str


class FileOut(Schema):
    id: int
    item_code: str
    name: str
    kind: str


class CaseSubmissionOut(Schema):
    id: int
    call: int
    call_name: str
    programme: int | None
    unit: str
    unit_name: str
    status: str
    version: int
    title: str
    submitted_at: str | None
    updated_at: str
    in_review: bool
    case: int | None


class CaseSubmissionDetail(CaseSubmissionOut):
    answers: dict
    return_note: str
    files: list[FileOut]
    opinions: list[OpinionOut]


class CaseSubmissionPage(Paged):
    items: list[CaseSubmissionOut]


class CaseSubmissionFilters(PageParams):
    call: int | None = Field(None, ge=1, le=MAX_OFFSET)
    status: Text | None = None


class CaseIn(Schema):
    """The case form's fields; only those sent change (``null`` or ``""`` clears one). The
    subject and theme are codes (``maths``, ``teaching``: the page's choices)."""

    model_config = ConfigDict(extra="forbid")

    title: Field_ | None = None
    summary: Field_ | None = None
    body: Field_ | None = None
    subject: Short | None = None
    theme: Short | None = None


class ReturnIn(Schema):
    note: Field_ = ""


class ReviewIn(Schema):
    experts: list[Id] = Field(default_factory=list, max_length=200)


class OpinionIn(Schema):
    verdict: Short = ""
    comment: Field_ = ""


# calls ---------------------------------------------------------------------------------------


def call_out(row: Round) -> dict:
    return {
        "id": row.pk,
        "programme": row.programme_id,
        "name": row.name,
        "opens_on": row.opens_on.isoformat(),
        "deadline": row.deadline.isoformat(),
        "status": row.status,
        "submissions": row.sheets.count(),
        "created_at": row.created_at.isoformat(),
    }


def _programme(request: HttpRequest, programme_id: int, mode: str = scopes.READ) -> Programme:
    user = need(request, "cases", mode)
    return get_scoped_or_404(Programme, user, VIEW, pk=programme_id)


@router.get(
    "/programmes/{programme_id}/case-calls", response=CallPage, url_name="programme_case_calls"
)
def programme_case_calls(request: HttpRequest, programme_id: int, params: Query[PageParams]):
    """The programme's case calls the caller runs (its office), newest first; empty for
    anyone else who sees the programme, as its case page."""
    programme = _programme(request, programme_id)
    return page(request, case_calls(request.user, programme), params, call_out)


@router.post(
    "/programmes/{programme_id}/case-calls",
    response={201: CallOut},
    url_name="programme_case_call_open",
)
def case_call_open(request: HttpRequest, response: HttpResponse, programme_id: int, body: CallIn):
    """The programme's office opens a case call: one case submission per pilot school. 201
    with the call and its ``ETag``. 404 for who does not see the programme (as its page), 403
    ``forbidden`` for anyone else but the office; 422
    ``refused`` without a name, with a past ``due``, or when the programme has no pilots."""
    programme = _programme(request, programme_id, scopes.WRITE)
    try:
        with transaction.atomic():
            made = services.case_call_open(
                by=request.user, programme=programme, name=body.name, due=body.due
            )
    except ValidationError as exc:
        raise refused(exc, code="refused") from exc
    response["ETag"] = etag_of(made, "created_at")
    return Status(201, call_out(made))


@router.get("/case-calls/{case_round_id}", response=CallOut, url_name="case_call")
def case_call(request: HttpRequest, response: HttpResponse, case_round_id: int):
    """One case call, for the office that runs it (404 for anyone else, as the call page)."""
    user = need(request, "cases")
    found = get_scoped_or_404(Round, user, MANAGE, pk=case_round_id, kind=KIND)
    response["ETag"] = etag_of(found, "created_at")
    return call_out(found)


# submissions ---------------------------------------------------------------------------------


def visible_case_submissions(request: HttpRequest, mode: str = scopes.READ):
    """The case submissions the caller sees on the pages: its school's, those under its office,
    those it was sent as an expert."""
    user = need(request, "cases", mode)
    rows = Submission.objects.restrict(user, VIEW).filter(round__kind=KIND)
    return rows.select_related("round", "unit")


def submission_out(row: Submission) -> dict:
    held = Case.objects.filter(submission=row)  # scoping: ok the submission was looked up scoped
    published = held.values_list("pk", flat=True).first()
    return {
        "id": row.pk,
        "call": row.round_id,
        "call_name": row.round.name,
        "programme": row.round.programme_id,
        "unit": row.unit.code,
        "unit_name": row.unit.name,
        "status": row.status,
        "version": row.version,
        "title": str((row.answers or {}).get("title") or ""),
        "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
        "updated_at": row.updated_at.isoformat(),
        "in_review": hasattr(row, "case_review"),
        "case": published,
    }


def submission_detail_out(request: HttpRequest, row: Submission) -> dict:
    files = Evidence.objects.filter(submission_id=row.pk).order_by("pk")  # scoping: ok held
    opinions = (
        CaseOpinion.objects.restrict(request.user, VIEW)
        .filter(submission=row)
        .select_related("expert")
    )
    codes = [code for code, *_rest in ITEMS]
    return {
        **submission_out(row),
        "answers": {code: row.answers.get(code) for code in codes if code in row.answers},
        "return_note": row.return_note,
        "files": [
            {"id": f.pk, "item_code": f.item_code, "name": f.original_name, "kind": f.kind}
            for f in files
        ],
        "opinions": [
            {
                "expert": o.expert.display_name,
                "verdict": o.verdict,
                "comment": o.comment,
                "updated_at": o.updated_at.isoformat(),
            }
            for o in opinions
        ],
    }


def _rows(request: HttpRequest):
    return visible_case_submissions(request, scopes.WRITE)


def _answer(response: HttpResponse, request: HttpRequest, case_submission_id: int) -> dict:
    row = get_object_or_404(visible_case_submissions(request), pk=case_submission_id)
    response["ETag"] = etag_of(row)
    return submission_detail_out(request, row)


def _not_saved(problems: list[str]) -> str:
    return _("未保存：%(problems)s") % {"problems": "；".join(problems)}


def _not_submitted(problems: list[str]) -> str:
    return _("还不能提交：%(problems)s") % {"problems": "；".join(problems)}


@router.get("/case-submissions", response=CaseSubmissionPage, url_name="case_submissions")
def case_submissions(request: HttpRequest, filters: Query[CaseSubmissionFilters]):
    """The case submissions the caller sees (a school its own, an office those of its calls'
    schools, an expert those sent to them), by call and school."""
    rows = visible_case_submissions(request)
    if filters.call is not None:
        rows = rows.filter(round_id=filters.call)
    if filters.status:
        rows = rows.filter(status=filters.status)
    rows = rows.order_by("-round__created_at", "unit__code", "pk")
    return page(request, rows, filters, submission_out)


@router.get(
    "/case-submissions/{case_submission_id}",
    response=CaseSubmissionDetail,
    url_name="case_submission",
)
def case_submission(request: HttpRequest, response: HttpResponse, case_submission_id: int):
    """One case submission with its answers, the office's return note, its files, the
    opinions the caller may read, and an ``ETag`` for the writes."""
    return _answer(response, request, case_submission_id)


@router.patch(
    "/case-submissions/{case_submission_id}",
    response=CaseSubmissionDetail,
    url_name="case_submission_save",
    openapi_extra=if_match(),
)
def case_submission_save(
    request: HttpRequest, response: HttpResponse, case_submission_id: int, body: CaseIn
):
    """Save the school's case draft (its own accounts, as on the page). Only the fields sent
    change; the whole case is then checked as the page's save does, in one revision. Refusals:
    422 ``invalid_answers`` (too long, a subject or theme not in the list; each in
    ``details``), 409 ``not_editable`` once submitted or accepted, ``closed`` when the call is
    closed; 403 ``forbidden`` for an account that may see the case but not fill it."""
    changes = body.model_dump(exclude_unset=True)

    def act(row):
        services.case_save_answers(
            submission=row, user=request.user, changes=changes, base_version=row.version
        )

    write(request, _rows(request), case_submission_id, act, invalid="invalid_answers",
          message=_not_saved)  # fmt: skip
    return _answer(response, request, case_submission_id)


@router.post(
    "/case-submissions/{case_submission_id}/submit",
    response=CaseSubmissionDetail,
    url_name="case_submission_submit",
    openapi_extra=if_match(),
)
def case_submission_submit(request: HttpRequest, response: HttpResponse, case_submission_id: int):
    """Submit the case to the office. 422 ``incomplete`` while a required field (title,
    summary, body, theme) is empty, each in ``details``; 409 ``not_editable`` once submitted."""

    def act(row):
        services.case_submit(submission=row, user=request.user)

    write(request, _rows(request), case_submission_id, act, invalid="incomplete",
          message=_not_submitted)  # fmt: skip
    return _answer(response, request, case_submission_id)


@router.post(
    "/case-submissions/{case_submission_id}/return",
    response=CaseSubmissionDetail,
    url_name="case_submission_return",
    openapi_extra=if_match(),
)
def case_submission_return(
    request: HttpRequest, response: HttpResponse, case_submission_id: int, body: ReturnIn
):
    """The office that runs the call sends the case back with a ``note`` (the reason); the
    school's coordinators are told, as from the page. 422 ``reason_required`` without one, 409
    ``not_submitted`` unless the case waits for a decision, 403 ``forbidden`` for anyone else."""

    def act(row):
        services.case_return(
            submission=row, user=request.user, note=body.note, base_url=request_base_url(request)
        )

    write(request, _rows(request), case_submission_id, act)
    return _answer(response, request, case_submission_id)


@router.post(
    "/case-submissions/{case_submission_id}/review",
    response=CaseSubmissionDetail,
    url_name="case_submission_review",
    openapi_extra=if_match(),
)
def case_submission_review(
    request: HttpRequest, response: HttpResponse, case_submission_id: int, body: ReviewIn
):
    """The office sends a submitted case to ``experts`` (account ids of experts it sees): each
    may then read this case and give an opinion. 422 ``refused`` when none of them is such an
    expert, 409 ``not_submitted`` unless the case waits for a decision, 403 ``forbidden`` for
    anyone but the office."""

    def act(row):
        experts = list(services.case_experts(request.user, body.experts))
        services.case_send_review(submission=row, user=request.user, experts=experts)

    write(request, _rows(request), case_submission_id, act)
    return _answer(response, request, case_submission_id)


@router.post(
    "/case-submissions/{case_submission_id}/opinion",
    response=CaseSubmissionDetail,
    url_name="case_submission_opinion",
    openapi_extra=if_match(),
)
def case_submission_opinion(
    request: HttpRequest, response: HttpResponse, case_submission_id: int, body: OpinionIn
):
    """An expert the case was sent to gives (or changes) their opinion: ``verdict``
    (``recommend``, ``revise``, ``reject``) and a ``comment``, required unless recommending.
    422 ``refused`` for a missing verdict or reason, 403 ``forbidden`` for anyone not sent the
    case. Other experts' opinions stay hidden from an expert."""

    def act(row):
        services.case_opinion(
            submission=row, user=request.user, verdict=body.verdict, comment=body.comment
        )

    write(request, _rows(request), case_submission_id, act)
    return _answer(response, request, case_submission_id)


@router.post(
    "/case-submissions/{case_submission_id}/accept",
    response=CaseSubmissionDetail,
    url_name="case_submission_accept",
    openapi_extra=if_match(),
)
def case_submission_accept(request: HttpRequest, response: HttpResponse, case_submission_id: int):
    """The office accepts the case and publishes it into the library (``case`` is then its id
    in ``GET /cases``). 409 ``not_submitted`` unless the case waits for a decision, 403
    ``forbidden`` for anyone but the office."""

    def act(row):
        services.case_accept(submission=row, user=request.user)

    write(request, _rows(request), case_submission_id, act)
    return _answer(response, request, case_submission_id)


# images and attachments (the case page's 上传) ----------------------------------------------


@router.get(
    "/case-submissions/{case_submission_id}/files",
    response=EvidenceList,
    url_name="case_submission_files",
)
def case_submission_files(request: HttpRequest, case_submission_id: int):
    """The case's images (``code`` ``images``: a body line ``[图片:<id>]`` shows one) and
    attachments (``attachments``), for whoever reads the case: metadata only."""
    found = get_object_or_404(visible_case_submissions(request), pk=case_submission_id)
    return listed(files_of(found), evidence_out)


@router.post(
    "/case-submissions/{case_submission_id}/files",
    response={201: EvidenceOut},
    url_name="case_submission_attach",
    openapi_extra=upload_description("``images`` or ``attachments``"),
)
def case_submission_attach(
    request: HttpRequest,
    response: HttpResponse,
    case_submission_id: int,
    file: File[UploadedFile],
    code: Form[FileCode],
):
    """Upload an image (``code`` ``images``: JPG, PNG, GIF or WebP, up to 5 MB) or an
    attachment (``attachments``: an image, PDF or Office file) to the school's case, as the
    case page does. The case's ``If-Match``; the answer is the file's metadata (its ``id``
    is what ``[图片:<id>]`` names) and the case's new ``ETag``. Refusals: 422 ``file_type``
    (not an image for ``images``, or the bytes do not match the name), 422
    ``file_too_large``, 422 ``unknown_item`` for another code; 409 ``not_editable`` once
    submitted, ``closed`` when the call is closed; 403 ``forbidden`` for anyone but the
    school. Nothing is stored then."""
    stored: list = []

    def act(row):
        stored.append(
            services.case_attach(submission=row, user=request.user, item_code=code, upload=file)
        )

    write(request, _rows(request), case_submission_id, act)
    rows = visible_case_submissions(request)
    return Status(
        201, answer_after_change(response, request, rows, case_submission_id, stored[0].pk)
    )


@router.get(
    "/case-submissions/{case_submission_id}/files/{case_evidence_id}",
    url_name="case_submission_file",
    openapi_extra=FILE_RESPONSE,
)
def case_submission_file(request: HttpRequest, case_submission_id: int, case_evidence_id: int):
    """Download one image or attachment (404 outside the cases the caller reads)."""
    found = get_object_or_404(visible_case_submissions(request), pk=case_submission_id)
    return file_download(evidence_of(found, case_evidence_id))


@router.delete(
    "/case-submissions/{case_submission_id}/files/{case_evidence_id}",
    response={204: None},
    url_name="case_submission_detach",
    openapi_extra=if_match(),
)
def case_submission_detach(
    request: HttpRequest, response: HttpResponse, case_submission_id: int, case_evidence_id: int
):
    """Remove one image or attachment, with the case's ``If-Match``, while the school may
    still change the case (409 ``not_editable`` once submitted, 403 ``forbidden`` for anyone
    else); 204 with the case's new ``ETag``."""

    def act(row):
        evidence = evidence_of(row, case_evidence_id)
        services.case_detach(submission=row, user=request.user, evidence=evidence)

    write(request, _rows(request), case_submission_id, act)
    answer_after_change(
        response, request, visible_case_submissions(request), case_submission_id, None
    )
    return Status(204, None)
