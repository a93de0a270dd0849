"""The pilots' acceptance reports (验收申报) and the experts' scores through the API
(acceptance:write), as on the report page and the expert's scoring page.

A pilot school's accounts save its summary report and archive checklist, upload and remove the
files (the summary as a file, one per archive document) and submit; the office that runs the
round returns a report with a reason. An expert of the round (assigned to the pilot, when the
round has assignments) reads and puts their own scores. Each write goes through
``acceptance.services`` (which leaves every state change to ``submissions.services``), under
``If-Match``, and answers the object as its ``GET`` gives it with the new ``ETag``.

Reads follow the pages: a report is seen by its school, the office above it and the round's
experts (those assigned, when there are assignments); an expert reads only their own score
(the review is blind), and no one's score is in the report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, StringConstraints

from shidian.apps.acceptance import selectors, services
from shidian.apps.acceptance.kinds import KIND, SUMMARY, archive_state, documents_of
from shidian.apps.acceptance.models import AcceptanceRound
from shidian.apps.acceptance.services.assign import pairs_of, panel_of, submitted_pairs
from shidian.apps.acceptance.services.scoring import scored_items
from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.etags import check_tag, etag_of
from shidian.apps.api.pagination import MAX_OFFSET, NO_NUL, PageParams, Text, page
from shidian.apps.api.routers.areas import Paged
from shidian.apps.api.routers.evidence import (
    Code,
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
from shidian.apps.core.access import APPROVE, MANAGE, REVIEW, VIEW, can
from shidian.apps.notifications.links import request_base_url
from shidian.apps.reviews.models import Review
from shidian.apps.submissions.models import Submission

router = Router(tags=["acceptance"])
AREA = "acceptance"

# The kind's own limits (kinds.MAX_TEXT, MAX_NOTE) are what the page tells; these bounds only
# keep a body from being absurd.
Long = Annotated[str, StringConstraints(max_length=60000, pattern=NO_NUL)]
Short = Annotated[str, StringConstraints(max_length=4000, pattern=NO_NUL)]


class DocumentOut(Schema):
    code: str
    name: str
    state: str = Field(description="uploaded, missing (marked, with a note) or pending")
    note: str


class ReportOut(Schema):
    id: int
    acceptance: int
    acceptance_name: str
    programme: int
    unit: str
    unit_name: str
    status: str
    version: int
    submitted_at: str | None
    updated_at: str


class ReportDetail(ReportOut):
    summary: str
    documents: list[DocumentOut]
    files: list[EvidenceOut]
    return_note: str


class ReportPage(Paged):
    items: list[ReportOut]


class ReportFilters(PageParams):
    acceptance: int | None = Field(None, ge=1, le=MAX_OFFSET)
    status: Text | None = None
    unit: Text | None = None


class DocumentIn(Schema):
    """``{"missing": true, "note": ...}`` marks a document missing; ``{"missing": false}``
    (or ``null``) takes the mark back."""

    model_config = ConfigDict(extra="forbid")

    missing: bool = False
    note: Short = ""


class ReportIn(Schema):
    """The report page's fields; only those sent change (``null`` or ``""`` clears the
    summary). ``documents`` is keyed by the archive document's code (``doc1``, ...)."""

    model_config = ConfigDict(extra="forbid")

    summary: Long | None = None
    documents: dict[Code, DocumentIn | None] | None = Field(None, max_length=200)


class ReturnIn(Schema):
    note: Long = ""


class ItemOut(Schema):
    code: str
    text: str
    max_score: float


class VetoOut(Schema):
    code: str
    text: str


class ScoreOut(Schema):
    report: int
    unit: str
    unit_name: str
    scores: dict[str, float]
    vetoes: dict[str, str]
    strengths: str
    weaknesses: str
    suggestions: str
    total: float | None
    vetoed: bool
    draft: bool
    submitted: bool
    updated_at: str | None
    items: list[ItemOut]
    veto_items: list[VetoOut]


class ScoreIn(Schema):
    """The scoring page's form: a score per item (its code), 是/否 per veto item, the three
    remarks; ``draft`` keeps what is filled in without submitting."""

    model_config = ConfigDict(extra="forbid")

    scores: dict[Code, float | None] = Field(default_factory=dict, max_length=2000)
    vetoes: dict[Code, Short] = Field(default_factory=dict, max_length=200)
    strengths: Long = ""
    weaknesses: Long = ""
    suggestions: Long = ""
    draft: bool = False


# reports ------------------------------------------------------------------------------------


def visible_reports(request: HttpRequest, mode: str = scopes.READ):
    """The acceptance reports the caller sees on the pages."""
    user = need(request, AREA, mode)
    rows = Submission.objects.restrict(user, VIEW).filter(round__kind=KIND)
    return rows.select_related("round__acceptance", "unit")


def report_out(row: Submission) -> dict:
    acceptance = row.round.acceptance
    return {
        "id": row.pk,
        "acceptance": acceptance.pk,
        "acceptance_name": acceptance.name,
        "programme": acceptance.programme_id,
        "unit": row.unit.code,
        "unit_name": row.unit.name,
        "status": row.status,
        "version": row.version,
        "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
        "updated_at": row.updated_at.isoformat(),
    }


def report_detail_out(row: Submission) -> dict:
    files = files_of(row)
    states = archive_state(row, {f.item_code for f in files})
    return {
        **report_out(row),
        "summary": str(row.answers.get(SUMMARY) or ""),
        "documents": [
            {
                "code": code,
                "name": name,
                "state": states[code],
                "note": (row.answers.get(code) or {}).get("note", ""),
            }
            for code, name in documents_of(row.round)
        ],
        "files": [evidence_out(f) for f in files],
        "return_note": row.return_note,
    }


def _answer(response: HttpResponse, request: HttpRequest, report_id: int) -> dict:
    row = get_object_or_404(visible_reports(request), pk=report_id)
    response["ETag"] = etag_of(row)
    return report_detail_out(row)


def _rows(request: HttpRequest):
    return visible_reports(request, scopes.WRITE)


def _not_saved(problems: list[str]) -> str:
    return _("未保存：%(problems)s") % {"problems": "；".join(problems)}


def _not_submitted(problems: list[str]) -> str:
    return _("还不能提交：%(problems)s") % {"problems": "；".join(problems)}


@router.get("/acceptance-reports", response=ReportPage, url_name="acceptance_reports")
def acceptance_reports(request: HttpRequest, filters: Query[ReportFilters]):
    """The acceptance reports the caller sees (a school its own, the office those of its
    rounds' pilots, an expert those they score), by round and school."""
    rows = visible_reports(request)
    if filters.acceptance is not None:
        rows = rows.filter(round__acceptance__pk=filters.acceptance)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.unit:
        rows = rows.filter(unit__code=filters.unit)
    rows = rows.order_by("-round__created_at", "unit__code", "pk")
    return page(request, rows, filters, report_out)


@router.get("/acceptance-reports/{report_id}", response=ReportDetail, url_name="acceptance_report")
def acceptance_report(request: HttpRequest, response: HttpResponse, report_id: int):
    """One report: the summary, each archive document's state and note, the files, the
    office's return note, and an ``ETag`` for the writes."""
    return _answer(response, request, report_id)


@router.patch(
    "/acceptance-reports/{report_id}",
    response=ReportDetail,
    url_name="acceptance_report_save",
    openapi_extra=if_match(),
)
def acceptance_report_save(
    request: HttpRequest, response: HttpResponse, report_id: int, body: ReportIn
):
    """Save the school's report (its own accounts, as on the page): the ``summary`` and which
    archive documents are missing, with a note each. Only the fields sent change, in one
    revision. Refusals: 422 ``invalid_answers`` (too long, a missing document without a note;
    each in ``details``), 422 ``unknown_item`` (a document code the round does not have), 409
    ``not_editable`` once submitted, ``closed`` once the verdicts are confirmed or the round is
    closed; 403 ``forbidden`` for an account that may see the report but not fill it."""
    changes: dict = {}
    sent = body.model_dump(exclude_unset=True)
    if "summary" in sent:
        changes[SUMMARY] = sent["summary"]
    for code, doc in (sent.get("documents") or {}).items():
        changes[code] = {"missing": True, "note": doc["note"]} if doc and doc["missing"] else None

    def act(row):
        services.report_save_answers(
            submission=row, user=request.user, changes=changes, base_version=row.version
        )

    write(request, _rows(request), report_id, act, invalid="invalid_answers", message=_not_saved)
    return _answer(response, request, report_id)


@router.post(
    "/acceptance-reports/{report_id}/submit",
    response=ReportDetail,
    url_name="acceptance_report_submit",
    openapi_extra=if_match(),
)
def acceptance_report_submit(request: HttpRequest, response: HttpResponse, report_id: int):
    """Submit the report for acceptance. 422 ``incomplete`` while the summary, its file or an
    archive document (uploaded or marked missing) is lacking, each in ``details``; 409
    ``not_editable`` once submitted, ``closed`` once the verdicts are confirmed."""

    def act(row):
        services.report_submit(submission=row, user=request.user)

    write(request, _rows(request), report_id, act, invalid="incomplete", message=_not_submitted)
    return _answer(response, request, report_id)


@router.post(
    "/acceptance-reports/{report_id}/return",
    response=ReportDetail,
    url_name="acceptance_report_return",
    openapi_extra=if_match(),
)
def acceptance_report_return(
    request: HttpRequest, response: HttpResponse, report_id: int, body: ReturnIn
):
    """The office that runs the round sends the report back with a ``note`` (the reason); the
    school's coordinators are told, as from the page. 422 ``reason_required`` without one, 409
    ``not_submitted`` unless the report waits for a decision, ``closed`` once the verdicts are
    confirmed; 403 ``forbidden`` for anyone else."""

    def act(row):
        services.report_return(
            submission=row, user=request.user, note=body.note, base_url=request_base_url(request)
        )

    write(request, _rows(request), report_id, act)
    return _answer(response, request, report_id)


# files --------------------------------------------------------------------------------------


@router.get(
    "/acceptance-reports/{report_id}/files",
    response=EvidenceList,
    url_name="acceptance_report_files",
)
def acceptance_report_files(request: HttpRequest, report_id: int):
    """The report's files by code (``summary_file``, ``doc1``, ...): metadata only."""
    found = get_object_or_404(visible_reports(request), pk=report_id)
    return listed(files_of(found), evidence_out)


@router.post(
    "/acceptance-reports/{report_id}/files",
    response={201: EvidenceOut},
    url_name="acceptance_report_attach",
    openapi_extra=upload_description("``summary_file`` or an archive document's code"),
)
def acceptance_report_attach(
    request: HttpRequest,
    response: HttpResponse,
    report_id: int,
    file: File[UploadedFile],
    code: Form[Code],
):
    """Upload the summary as a file (``summary_file``) or an archive document (``doc1``, ...)
    to the school's own report, as the report page does. The report's ``If-Match``; the
    answer is the file's metadata and the report's new ``ETag``. Refusals: 422 ``file_type``,
    ``file_too_large`` (as for any evidence file), ``unknown_item`` (no such document); 409
    ``not_editable`` once submitted, ``closed`` once confirmed; 403 ``forbidden`` for the
    office or an expert. Nothing is stored then."""
    stored: list = []

    def act(row):
        stored.append(
            services.report_attach(submission=row, user=request.user, item_code=code, upload=file)
        )

    write(request, _rows(request), report_id, act)
    answer = answer_after_change(
        response, request, visible_reports(request), report_id, stored[0].pk
    )
    return Status(201, answer)


@router.get(
    "/acceptance-reports/{report_id}/files/{acceptance_file_id}",
    url_name="acceptance_report_file",
    openapi_extra={
        "responses": {
            200: {
                "description": "the file, with its Content-Type and Content-Disposition",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def acceptance_report_file(request: HttpRequest, report_id: int, acceptance_file_id: int):
    """Download one file of the report (404 outside the caller's reports)."""
    found = get_object_or_404(visible_reports(request), pk=report_id)
    return file_download(evidence_of(found, acceptance_file_id))


@router.delete(
    "/acceptance-reports/{report_id}/files/{acceptance_file_id}",
    response={204: None},
    url_name="acceptance_report_detach",
    openapi_extra=if_match(),
)
def acceptance_report_detach(
    request: HttpRequest, response: HttpResponse, report_id: int, acceptance_file_id: int
):
    """Remove one file, with the report's ``If-Match``, as the report page does (409
    ``not_editable`` once submitted); 204 with the report's new ``ETag``."""

    def act(row):
        services.report_detach(evidence=evidence_of(row, acceptance_file_id), user=request.user)

    write(request, _rows(request), report_id, act)
    answer_after_change(response, request, visible_reports(request), report_id, None)
    return Status(204, None)


# scores -------------------------------------------------------------------------------------


def _scorer_report(rows, request: HttpRequest, report_id: int) -> Submission:
    """The report, if the caller may score it, as the scoring page: 404 when invisible or, in
    a round with assignments, not assigned to the caller; 403 for who sees it but does not
    review (the office, the school)."""
    row = get_object_or_404(rows, pk=report_id)
    if not can(request.user, REVIEW, row):
        raise PermissionDenied
    if not selectors.may_score(row.round.acceptance, row, request.user):
        raise Http404
    return row


def _own_review(row: Submission, user, *, lock: bool = False) -> Review | None:
    reviews = Review.objects.filter(submission=row, reviewer=user)  # scoping: ok own review
    if lock:
        reviews = reviews.select_for_update()
    return reviews.first()


def score_etag(row: Submission, user, review: Review | None) -> str:
    """The review's ETag; before the first save, one for "no score of this expert yet"."""
    if review is not None:
        return etag_of(review)
    raw = f"acceptance.score:{row.pk}:{user.pk}:none"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:20] + '"'


def score_out(row: Submission, review: Review | None) -> dict:
    acceptance = row.round.acceptance
    return {
        "report": row.pk,
        "unit": row.unit.code,
        "unit_name": row.unit.name,
        "scores": dict(review.item_scores) if review else {},
        "vetoes": dict(review.veto_answers) if review else {},
        "strengths": review.strengths if review else "",
        "weaknesses": review.weaknesses if review else "",
        "suggestions": review.suggestions if review else "",
        "total": review.total if review else None,
        "vetoed": review.vetoed if review else False,
        "draft": review.draft if review else False,
        "submitted": bool(review and not review.draft),
        "updated_at": review.updated_at.isoformat() if review else None,
        "items": [
            {"code": i.code, "text": i.text, "max_score": i.max_score}
            for i in scored_items(acceptance)
        ],
        "veto_items": [{"code": v["code"], "text": v["text"]} for v in acceptance.veto_items],
    }


def _score_answer(response: HttpResponse, request: HttpRequest, report_id: int) -> dict:
    row = _scorer_report(visible_reports(request), request, report_id)
    review = _own_review(row, request.user)
    response["ETag"] = score_etag(row, request.user, review)
    return score_out(row, review)


@router.get("/acceptance-reports/{report_id}/score", response=ScoreOut, url_name="acceptance_score")
def acceptance_score(request: HttpRequest, response: HttpResponse, report_id: int):
    """The caller's own score of the pilot (empty before the first save), the items to score
    with their maxima and the veto items, with an ``ETag``. Only for an expert who scores the
    pilot, as the scoring page; no other expert's score is given."""
    return _score_answer(response, request, report_id)


@router.put(
    "/acceptance-reports/{report_id}/score",
    response=ScoreOut,
    url_name="acceptance_score_put",
    openapi_extra=if_match(),
)
def acceptance_score_put(
    request: HttpRequest, response: HttpResponse, report_id: int, body: ScoreIn
):
    """An expert of the round (the pilot's assigned expert, when the round has assignments)
    puts their scores, as the scoring page: every item within 0 and its maximum, every veto
    item answered 是 or 否; with ``draft`` only what is filled in, counted nowhere until
    submitted. The ``If-Match`` is the score's (``GET`` gives one before the first save too).
    Refusals: 422 ``invalid_scores`` (each wrong or missing item in ``details``), 409
    ``closed`` once the verdicts are confirmed, ``not_allowed`` for a draft of a submitted
    score; 403 ``forbidden`` for the office or the school, 404 for an expert not assigned."""
    with transaction.atomic():
        rows = visible_reports(request, scopes.WRITE).select_for_update(of=("self",))
        row = _scorer_report(rows, request, report_id)
        check_tag(request, score_etag(row, request.user, _own_review(row, request.user, lock=True)))
        try:
            services.score_put(
                by=request.user,
                submission=row,
                scores=body.scores,
                vetoes=body.vetoes,
                strengths=body.strengths,
                weaknesses=body.weaknesses,
                suggestions=body.suggestions,
                draft=body.draft,
            )
        except ValidationError as exc:
            raise refused(exc, code="invalid_scores") from exc
    return _score_answer(response, request, report_id)


# assignments --------------------------------------------------------------------------------


class PairOut(Schema):
    unit: str
    unit_name: str
    expert: int
    expert_name: str
    by_hand: bool
    submitted: bool = Field(description="the expert submitted a score of the pilot (kept)")


class PanelOut(Schema):
    id: int
    username: str
    name: str
    unit: str | None


class AssignmentsOut(Schema):
    acceptance: int
    status: str
    per_pilot: int
    pairs: list[PairOut]
    panel: list[PanelOut]


class ProposeIn(Schema):
    per_pilot: int | None = Field(None, ge=-MAX_OFFSET, le=MAX_OFFSET)


class PairIn(Schema):
    """A pilot by its unit code and a panel expert by account id (``panel`` in the ``GET``)."""

    model_config = ConfigDict(extra="forbid")

    unit: Short = ""
    expert: int | None = Field(None, ge=1, le=MAX_OFFSET)


def _rounds(request: HttpRequest, mode: str = scopes.READ):
    user = need(request, AREA, mode)
    return AcceptanceRound.objects.restrict(user, VIEW).select_related("programme__unit", "round")


def _office_round(rows, request: HttpRequest, acceptance_id: int) -> AcceptanceRound:
    """The round, for its office (MANAGE), as the assignment page: 403 for others who see it."""
    row = get_object_or_404(rows, pk=acceptance_id)
    if not can(request.user, MANAGE, row):
        raise PermissionDenied
    return row


def assignments_etag(acceptance: AcceptanceRound, pairs: list) -> str:
    """The pairs' ETag: the round has no ``updated_at``, and what an assignment write changes
    is exactly its pairs, the per-pilot count and, once confirmed, the status."""
    keys = sorted((p.unit_id, p.expert_id, p.by_hand) for p in pairs)
    raw = (
        f"acceptance.assignments:{acceptance.pk}:{acceptance.status}:{acceptance.per_pilot}:{keys}"
    )
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:20] + '"'


def assignments_out(acceptance: AcceptanceRound, pairs: list) -> dict:
    submitted = submitted_pairs(acceptance)
    return {
        "acceptance": acceptance.pk,
        "status": acceptance.status,
        "per_pilot": acceptance.per_pilot,
        "pairs": [
            {
                "unit": p.unit.code,
                "unit_name": p.unit.name,
                "expert": p.expert_id,
                "expert_name": p.expert.display_name,
                "by_hand": p.by_hand,
                "submitted": (p.unit_id, p.expert_id) in submitted,
            }
            for p in pairs
        ],
        "panel": [
            {
                "id": e.pk,
                "username": e.username,
                "name": e.display_name,
                "unit": e.unit.code if e.unit else None,
            }
            for e in panel_of(acceptance)
        ],
    }


def _assignments_answer(response: HttpResponse, request: HttpRequest, acceptance_id: int):
    found = _office_round(_rounds(request), request, acceptance_id)
    pairs = pairs_of(found)
    response["ETag"] = assignments_etag(found, pairs)
    return assignments_out(found, pairs)


def _assign(request: HttpRequest, acceptance_id: int, act) -> None:
    """Lock the round, check the pairs' If-Match, run ``act(round)``: one transaction."""
    with transaction.atomic():
        rows = _rounds(request, scopes.WRITE).select_for_update(of=("self",))
        found = _office_round(rows, request, acceptance_id)
        check_tag(request, assignments_etag(found, pairs_of(found)))
        try:
            act(found)
        except ValidationError as exc:
            raise refused(exc, code="refused") from exc


@router.get(
    "/acceptance-rounds/{acceptance_id}/assignments",
    response=AssignmentsOut,
    url_name="acceptance_assignments",
)
def acceptance_assignments(request: HttpRequest, response: HttpResponse, acceptance_id: int):
    """Which panel expert scores which pilot (empty: every expert scores every pilot), the
    panel, with an ``ETag`` for the writes. For who manages the round, as the assignment page
    (403 for an expert)."""
    return _assignments_answer(response, request, acceptance_id)


@router.post(
    "/acceptance-rounds/{acceptance_id}/assignments/propose",
    response=AssignmentsOut,
    url_name="acceptance_assignments_propose",
    openapi_extra=if_match(),
)
def acceptance_assignments_propose(
    request: HttpRequest, response: HttpResponse, acceptance_id: int, body: ProposeIn
):
    """The office replaces the pairs with the system's proposal: ``per_pilot`` experts a pilot
    (1 to 20), balanced loads, no expert scoring their own school; pairs with a submitted score
    are kept. 422 ``refused`` with the page's message (too few experts, a pilot without enough
    experts free of conflict, a bad ``per_pilot``), 409 ``closed`` once confirmed."""

    def act(found):
        services.assignment_propose(by=request.user, acceptance=found, per_pilot=body.per_pilot)

    _assign(request, acceptance_id, act)
    return _assignments_answer(response, request, acceptance_id)


@router.post(
    "/acceptance-rounds/{acceptance_id}/assignments/add",
    response=AssignmentsOut,
    url_name="acceptance_assignment_add",
    openapi_extra=if_match(),
)
def acceptance_assignment_add(
    request: HttpRequest, response: HttpResponse, acceptance_id: int, body: PairIn
):
    """Assign one panel expert to one pilot by hand. 422 ``refused`` (not the round's pilot or
    panel expert, already assigned, a conflict of interest), 409 ``closed`` once confirmed."""

    def act(found):
        unit, expert = services.assignment_pick(
            found, unit=body.unit, expert=body.expert, unit_field="code"
        )
        services.assignment_add(by=request.user, acceptance=found, unit=unit, expert=expert)

    _assign(request, acceptance_id, act)
    return _assignments_answer(response, request, acceptance_id)


@router.post(
    "/acceptance-rounds/{acceptance_id}/assignments/remove",
    response=AssignmentsOut,
    url_name="acceptance_assignment_remove",
    openapi_extra=if_match(),
)
def acceptance_assignment_remove(
    request: HttpRequest, response: HttpResponse, acceptance_id: int, body: PairIn
):
    """Take one pair off by hand (the last one: every expert scores every pilot again). 422
    ``refused`` for a pair that does not exist, 409 ``not_allowed`` once the expert submitted a
    score of the pilot, ``closed`` once confirmed."""

    def act(found):
        unit, expert = services.assignment_pick(
            found, unit=body.unit, expert=body.expert, unit_field="code"
        )
        services.assignment_remove(by=request.user, acceptance=found, unit=unit, expert=expert)

    _assign(request, acceptance_id, act)
    return _assignments_answer(response, request, acceptance_id)


# confirmation -------------------------------------------------------------------------------


class ProposalOut(Schema):
    unit: str
    unit_name: str
    report_status: str
    report_submitted: bool
    missing_documents: list[str]
    experts: int = Field(description="submitted scores that count")
    assigned: int = Field(description="experts assigned to the pilot (0: no assignments)")
    score: float | None
    spread: float | None
    flagged: bool = Field(description="the experts disagree by more than the round's limit")
    proposed: str = Field(description="pass, conditional, fail, or empty while pending")
    reasons: list[str]
    outcome: str | None = Field(description="the confirmed verdict, once confirmed")


class ProposalsOut(Schema):
    acceptance: int
    status: str
    pilots: list[ProposalOut]


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    unit: Short
    outcome: Short = ""
    reason: Long = ""


class ConfirmIn(Schema):
    """The confirmation page's form: one decision per pilot (its unit code, the outcome
    ``pass`` / ``conditional`` / ``fail``, a reason where it differs from the proposal) and
    the rectification deadline of conditional passes."""

    model_config = ConfigDict(extra="forbid")

    decisions: list[DecisionIn] = Field(default_factory=list, max_length=2000)
    due_on: dt.date | None = None


def _deciding_round(rows, request: HttpRequest, acceptance_id: int) -> AcceptanceRound:
    """As the round page's table of all scores: the office (MANAGE) and the leading group
    (APPROVE); 403 for an expert (blind review)."""
    row = get_object_or_404(rows, pk=acceptance_id)
    if not (can(request.user, MANAGE, row) or can(request.user, APPROVE, row)):
        raise PermissionDenied
    return row


def proposals_etag(acceptance: AcceptanceRound, rows: list) -> str:
    """What the leading group confirms: every pilot's proposal (codes and numbers, not the
    words of a language) and the round's status; a new score or file moves it."""
    pilots = [
        (
            r.unit.pk,
            r.submission.updated_at.isoformat(),
            r.proposed,
            r.proposal.mean,
            r.proposal.spread,
            r.proposal.experts,
            [(x.code, sorted(x.params)) for x in r.proposal.reasons],
            r.verdict.outcome if r.verdict else None,
        )
        for r in rows
    ]
    raw = repr([acceptance.pk, acceptance.status, pilots])
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:20] + '"'


def proposals_out(acceptance: AcceptanceRound, rows: list) -> dict:
    return {
        "acceptance": acceptance.pk,
        "status": acceptance.status,
        "pilots": [
            {
                "unit": r.unit.code,
                "unit_name": r.unit.name,
                "report_status": r.submission.status,
                "report_submitted": r.submitted,
                "missing_documents": list(r.missing),
                "experts": r.proposal.experts,
                "assigned": len(r.assigned),
                "score": r.proposal.mean,
                "spread": r.proposal.spread,
                "flagged": r.proposal.flagged,
                "proposed": r.proposed,
                "reasons": selectors.reasons_of(acceptance, r.proposal),
                "outcome": r.verdict.outcome if r.verdict else None,
            }
            for r in rows
        ],
    }


def _proposals_answer(response: HttpResponse, request: HttpRequest, acceptance_id: int):
    found = _deciding_round(_rounds(request), request, acceptance_id)
    rows = selectors.pilot_rows(found)
    response["ETag"] = proposals_etag(found, rows)
    return proposals_out(found, rows)


@router.get(
    "/acceptance-rounds/{acceptance_id}/proposals",
    response=ProposalsOut,
    url_name="acceptance_proposals",
)
def acceptance_proposals(request: HttpRequest, response: HttpResponse, acceptance_id: int):
    """Every pilot's state and the system's proposal (验收建议), as on the round page: the
    mean score, the spread, the reasons in the caller's language, the verdict once confirmed;
    with the ``ETag`` the confirmation takes. For the office and the leading group (403 for
    an expert: no expert reads the others' scores)."""
    return _proposals_answer(response, request, acceptance_id)


@router.post(
    "/acceptance-rounds/{acceptance_id}/confirm",
    response=ProposalsOut,
    url_name="acceptance_confirm",
    openapi_extra=if_match(),
)
def acceptance_confirm(
    request: HttpRequest, response: HttpResponse, acceptance_id: int, body: ConfirmIn
):
    """The leading group (APPROVE) confirms the verdicts, as the confirmation page: one per
    pilot; the participations move and conditional passes get rectification items due on
    ``due_on``. The ``If-Match`` is the proposals' (a score or report that changed since is
    412). Refusals: 422 ``refused`` with the page's messages (a pilot without an outcome, an
    outcome other than the proposal without a reason, scores not complete without a reason, a
    past or missing ``due_on`` for a conditional pass), 409 ``closed`` once confirmed; 403
    ``forbidden`` for the office."""
    with transaction.atomic():
        rows = _rounds(request, scopes.WRITE).select_for_update(of=("self",))
        found = _deciding_round(rows, request, acceptance_id)
        check_tag(request, proposals_etag(found, selectors.pilot_rows(found)))
        units = {u.code: u.pk for u in (r.unit for r in selectors.pilot_rows(found))}
        decisions = {
            units[d.unit]: (d.outcome, d.reason) for d in body.decisions if d.unit in units
        }
        try:
            services.acceptance_confirm(
                by=request.user,
                acceptance=found,
                decisions=decisions,
                due_on=body.due_on,
                base_url=request_base_url(request),
            )
        except ValidationError as exc:
            raise refused(exc, code="refused") from exc
    return _proposals_answer(response, request, acceptance_id)
