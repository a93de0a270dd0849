"""Writes on communities' activities and their semester filings (communities:write).

What the activity pages do: the office or the lead school plans an activity (theme, form,
date, host) and files its plan text, changes the host or the plan, calls it off; a member
school records that it attended (which marks the activity held once its day has come). The
record of the semester, the lead's plan or summary filing (``activities.filings``), is read
here with its ETag, filled (its items and attachments, with the evidence routes' file checks
and answers) and submitted by the lead, and returned (with a reason) or accepted by the
office. Every write calls the service the page calls, under ``If-Match`` when it changes an
existing object, and answers the object as its GET does, with its new ETag.

The routes sit on the read router (``communities.router``): a PATCH shares its path with a
GET, and Django would send every method to the first router's pattern. api.py imports this
module before mounting that router.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, StringConstraints

from shidian.apps.activities import filings, services
from shidian.apps.activities.models import CommunityFiling, Semester
from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.errors import ApiError
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import MAX_OFFSET, NO_NUL, PageParams, Text, page
from shidian.apps.api.routers import communities
from shidian.apps.api.routers.areas import Paged
from shidian.apps.api.routers.communities import (
    ActivityDetail,
    activity_answer,
    visible_activities,
    visible_communities,
)
from shidian.apps.api.routers.evidence import (
    FILE_RESPONSE,
    EvidenceList,
    EvidenceOut,
    evidence_of,
    evidence_out,
    file_download,
    files_of,
    listed,
    upload_description,
)
from shidian.apps.api.writes import if_match, refused, write
from shidian.apps.core.access import VIEW
from shidian.apps.notifications.links import request_base_url

router = communities.router
TAGS = ["communities"]

# The model's own bounds; the services word what is missing.
Theme = Annotated[str, StringConstraints(max_length=120, pattern=NO_NUL)]
Long = Annotated[str, StringConstraints(max_length=20000, pattern=NO_NUL)]
# The activity's states that stop a step (activities.services' codes): 409, not 422.
ACTIVITY_STATES = frozenset({"cancelled", "held"})


class ActivityIn(Schema):
    """One activity, as a row of the semester's plan page: ``semester`` (of the community's
    office), ``theme``, ``kind`` (seminar, observe, same_topic, lecture, showcase),
    ``planned_on`` inside the semester, ``host`` (a member school's code; blank: the rotation's
    proposal) and, optionally, the ``plan`` text with the suggestions for the next activity."""

    # Defaults everywhere: the community is looked up (404) before any field is missed.
    semester: int | None = Field(None, ge=1, le=MAX_OFFSET)
    theme: Theme = ""
    kind: Text = ""
    planned_on: dt.date | None = None
    host: Text | None = None
    plan: Long | None = None
    next_theme: Theme = ""
    next_on: dt.date | None = None
    next_host: Text | None = None


class ActivityPatch(Schema):
    """Only the fields named change: ``host`` (the host school), ``plan`` and the suggestions
    for the next activity (``next_theme``, ``next_on``, ``next_host``; ``null`` clears one)."""

    host: Text | None = None
    plan: Long | None = None
    next_theme: Theme | None = None
    next_on: dt.date | None = None
    next_host: Text | None = None


class AttendanceIn(Schema):
    attendees: int | None = Field(None, ge=-(10**6), le=10**6)
    note: Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)] = ""


class CancelIn(Schema):
    reason: Annotated[str, StringConstraints(max_length=500, pattern=NO_NUL)] = ""


class NoteIn(Schema):
    note: Long = ""


class FilingPatch(Schema):
    """The filing's items by code (those ``GET`` gives in ``answers``: a plan's ``goals``,
    ``activities``, ``division``, ``body``; a summary's ``done``, ``activities``,
    ``outcomes``, ``problems``, ``next_steps``); only those named change, ``null`` or ``""``
    clears one."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[Text, Long | None] = Field(default_factory=dict, max_length=50)


class FilingOut(Schema):
    id: int
    community: int
    semester: str
    kind: str
    unit: str
    status: str
    version: int
    submitted_at: str | None
    updated_at: str


class FilingDetail(FilingOut):
    answers: dict
    return_note: str
    attachments: int


class FilingPage(Paged):
    items: list[FilingOut]


class FilingFilters(PageParams):
    community: int | None = Field(None, ge=1, le=MAX_OFFSET)
    semester: int | None = Field(None, ge=1, le=MAX_OFFSET)
    kind: Text | None = None
    status: Text | None = None


# activities ---------------------------------------------------------------------------------


def _member(community, code: str | None):
    """The current member school with this code (``None`` for none), else the services'
    refusal: a host must be a member."""
    if not code:
        return None
    found = {u.code: u for u in services.current_members(community)}.get(code)
    if found is None:
        raise ValidationError(_("承办学校须是本共同体的成员校。"))
    return found


def _activity_rows(request: HttpRequest):
    return visible_activities(request, scopes.WRITE).select_related("community", "next_host")


def _state_refused(exc: ValidationError) -> ApiError | None:
    codes = [e.code for e in getattr(exc, "error_list", [])]
    code = next((c for c in codes if c in ACTIVITY_STATES), None)
    if code is None:
        return None
    return ApiError(409, code, " ".join(exc.messages), [{"message": m} for m in exc.messages])


def _activity_write(request: HttpRequest, activity_id: int, act) -> None:
    def guarded(row):
        try:
            act(row)
        except ValidationError as exc:
            state = _state_refused(exc)
            if state is None:
                raise
            raise state from exc

    write(request, _activity_rows(request), activity_id, guarded)


@router.post(
    "/communities/{community_id}/activities",
    response={201: ActivityDetail},
    url_name="activity_plan",
    tags=TAGS,
)
def activity_plan(
    request: HttpRequest, response: HttpResponse, community_id: int, body: ActivityIn
):
    """Plan one activity of the community (the office that owns it or its lead school, as on
    the semester's plan page), and file its plan text when ``plan`` is given. 201 with the
    activity and its ETag. 403 ``forbidden`` for a member school or anyone else who sees the
    community without steering it; 422 ``refused`` in the page's words (no theme, an unknown
    form, a date outside the semester, a host that is no member, a blank plan) and 422
    ``unknown_semester`` for a semester of another office."""
    community = get_object_or_404(visible_communities(request, scopes.WRITE), pk=community_id)
    try:
        with transaction.atomic():
            semester = Semester.objects.filter(  # scoping: ok the visible community fixes it
                owner_unit=community.owner_unit, pk=body.semester
            ).first()
            if semester is None:
                raise ApiError(422, "unknown_semester", _("没有这个学期。"))
            item = {
                "theme": body.theme,
                "kind": body.kind,
                "planned_on": body.planned_on,
                "host": _member(community, body.host),
            }
            [made] = services.activities_plan(
                by=request.user, community=community, semester=semester, items=[item]
            )
            if body.plan is not None:
                services.activity_file_plan(
                    by=request.user,
                    activity=made,
                    plan=body.plan,
                    next_theme=body.next_theme,
                    next_on=body.next_on,
                    next_host=_member(community, body.next_host),
                )
    except ValidationError as exc:
        raise refused(exc, code="refused") from exc
    return Status(201, activity_answer(request, response, made.pk))


@router.patch(
    "/activities/{activity_id}",
    response=ActivityDetail,
    url_name="activity_update",
    openapi_extra=if_match(),
    tags=TAGS,
)
def activity_update(
    request: HttpRequest, response: HttpResponse, activity_id: int, body: ActivityPatch
):
    """Change a planned activity as its page does: ``host`` (the office or the lead; 403
    otherwise) and the plan with the next activity's suggestions (the host school, the office
    or the lead; 403 otherwise). Only the fields named change; a blank ``plan`` is refused
    (422), as are a host or next host that is no member school."""
    named = body.model_fields_set

    def act(row):
        community = row.community
        if "host" in named:
            host = _member(community, body.host)
            if host is None:
                raise ValidationError(_("承办学校须是本共同体的成员校。"))
            services.activity_set_host(by=request.user, activity=row, host=host)
        if named & {"plan", "next_theme", "next_on", "next_host"}:
            services.activity_file_plan(
                by=request.user,
                activity=row,
                plan=body.plan if "plan" in named else row.plan,
                next_theme=(body.next_theme or "") if "next_theme" in named else row.next_theme,
                next_on=body.next_on if "next_on" in named else row.next_on,
                next_host=(
                    _member(community, body.next_host) if "next_host" in named else row.next_host
                ),
            )

    _activity_write(request, activity_id, act)
    return activity_answer(request, response, activity_id)


@router.post(
    "/activities/{activity_id}/cancel",
    response=ActivityDetail,
    url_name="activity_cancel",
    openapi_extra=if_match(),
    tags=TAGS,
)
def activity_cancel(request: HttpRequest, response: HttpResponse, activity_id: int, body: CancelIn):
    """Call the activity off (the office or the lead; 403 otherwise), with an optional
    ``reason`` kept in the audit record. 409 ``cancelled`` when it already is, 409 ``held``
    once it took place with attendance recorded (it stays part of the record)."""

    def act(row):
        services.activity_cancel(by=request.user, activity=row, reason=body.reason)

    _activity_write(request, activity_id, act)
    return activity_answer(request, response, activity_id)


@router.post(
    "/activities/{activity_id}/attendance",
    response=ActivityDetail,
    url_name="activity_attend",
    openapi_extra=if_match(),
    tags=TAGS,
)
def activity_attend(
    request: HttpRequest, response: HttpResponse, activity_id: int, body: AttendanceIn
):
    """The caller's school records that it attended, with how many came (1 to 500) and a
    ``note``; a second call updates the school's row. Once the activity's day has come this
    marks it held. Only a current member school's accounts (403 otherwise); 409 ``cancelled``
    for a cancelled activity, 422 ``refused`` for a number out of range."""

    def act(row):
        services.attendance_record(
            by=request.user, activity=row, attendees=body.attendees, note=body.note
        )

    _activity_write(request, activity_id, act)
    return activity_answer(request, response, activity_id)


# the semester's plan and summary filings ----------------------------------------------------


def visible_filings(request: HttpRequest, mode: str = scopes.READ):
    user = need(request, "communities", mode)
    return CommunityFiling.objects.restrict(user, VIEW).select_related(
        "semester", "submission__round", "submission__unit"
    )


def filing_out(row: CommunityFiling) -> dict:
    sub = row.submission
    return {
        "id": row.pk,
        "community": row.community_id,
        "semester": row.semester.name,
        "kind": row.kind,
        "unit": sub.unit.code,
        "status": sub.status,
        "version": sub.version,
        "submitted_at": sub.submitted_at.isoformat() if sub.submitted_at else None,
        "updated_at": sub.updated_at.isoformat(),
    }


def _filing_answer(request: HttpRequest, response: HttpResponse, filing_id: int) -> dict:
    row = get_object_or_404(visible_filings(request), pk=filing_id)
    response["ETag"] = etag_of(row)
    return {
        **filing_out(row),
        "answers": row.submission.answers,
        "return_note": row.submission.return_note,
        "attachments": len(files_of(row.submission)),
    }


@router.get("/community-filings", response=FilingPage, url_name="community_filings", tags=TAGS)
def community_filings(request: HttpRequest, filters: Query[FilingFilters]):
    """The semester plans (``kind`` plan) and stage summaries (summary) the caller sees: the
    office and the lead in every state, the other member schools once accepted."""
    rows = visible_filings(request).order_by("-semester__starts_on", "community_id", "kind", "pk")
    if filters.community is not None:
        rows = rows.filter(community_id=filters.community)
    if filters.semester is not None:
        rows = rows.filter(semester_id=filters.semester)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status:
        rows = rows.filter(submission__status=filters.status)
    return page(request, rows, filters, filing_out)


@router.get(
    "/community-filings/{filing_id}",
    response=FilingDetail,
    url_name="community_filing",
    tags=TAGS,
)
def community_filing(request: HttpRequest, response: HttpResponse, filing_id: int):
    """One plan or summary with its answers (item code -> text), how many attachments it has
    (``/attachments`` lists them) and an ``ETag``."""
    return _filing_answer(request, response, filing_id)


def _filing_write(request: HttpRequest, filing_id: int, act) -> None:
    write(request, visible_filings(request, scopes.WRITE), filing_id, act)


@router.post(
    "/community-filings/{filing_id}/submit",
    response=FilingDetail,
    url_name="community_filing_submit",
    openapi_extra=if_match(),
    tags=TAGS,
)
def community_filing_submit(request: HttpRequest, response: HttpResponse, filing_id: int):
    """The lead school hands its saved plan or summary to the office (filled with ``PATCH``
    or on the page).
    422 ``refused`` naming each required item still empty, 409 ``not_editable`` once
    submitted or accepted; 403 ``forbidden`` for anyone but the lead school."""

    def act(row):
        filings.filing_submit(filing=row, user=request.user)

    _filing_write(request, filing_id, act)
    return _filing_answer(request, response, filing_id)


@router.post(
    "/community-filings/{filing_id}/return",
    response=FilingDetail,
    url_name="community_filing_return",
    openapi_extra=if_match(),
    tags=TAGS,
)
def community_filing_return(
    request: HttpRequest, response: HttpResponse, filing_id: int, body: NoteIn
):
    """The office sends a submitted filing back to the lead with a ``note`` (the reason); the
    lead's accounts are told, as from the page. 422 ``reason_required`` without one, 409
    ``not_submitted`` unless it waits for the office, 403 ``forbidden`` for anyone else."""

    def act(row):
        filings.filing_return(
            filing=row, user=request.user, note=body.note, base_url=request_base_url(request)
        )

    _filing_write(request, filing_id, act)
    return _filing_answer(request, response, filing_id)


@router.post(
    "/community-filings/{filing_id}/accept",
    response=FilingDetail,
    url_name="community_filing_accept",
    openapi_extra=if_match(),
    tags=TAGS,
)
def community_filing_accept(request: HttpRequest, response: HttpResponse, filing_id: int):
    """The office accepts a submitted filing; the community's member schools read it from
    then on. 409 ``not_submitted`` unless it waits for the office, 403 ``forbidden`` for
    anyone else."""

    def act(row):
        filings.filing_accept(filing=row, user=request.user)

    _filing_write(request, filing_id, act)
    return _filing_answer(request, response, filing_id)


@router.patch(
    "/community-filings/{filing_id}",
    response=FilingDetail,
    url_name="community_filing_save",
    openapi_extra=if_match(),
    tags=TAGS,
)
def community_filing_save(
    request: HttpRequest, response: HttpResponse, filing_id: int, body: FilingPatch
):
    """The lead school saves its plan or summary as the filing page does: the items named in
    ``answers`` change, the others stay, in one revision. 422 ``unknown_item`` for a code the
    kind has not, 409 ``not_editable`` once submitted or accepted; 403 ``forbidden`` for
    anyone but the lead school."""

    def act(row):
        filings.filing_save_answers(
            filing=row,
            user=request.user,
            changes=body.answers,
            base_version=row.submission.version,
        )

    _filing_write(request, filing_id, act)
    return _filing_answer(request, response, filing_id)


# the filing's attachments (the page's "附件"): evidence files on the item ``attachments`` ----


@router.get(
    "/community-filings/{filing_id}/attachments",
    response=EvidenceList,
    url_name="community_filing_attachments",
    tags=TAGS,
)
def community_filing_attachments(request: HttpRequest, filing_id: int):
    """The filing's attachments, for whoever reads the filing: metadata only."""
    found = get_object_or_404(visible_filings(request), pk=filing_id)
    return listed(files_of(found.submission), evidence_out)


@router.post(
    "/community-filings/{filing_id}/attachments",
    response={201: EvidenceOut},
    url_name="community_filing_attach",
    openapi_extra=upload_description(),
    tags=TAGS,
)
def community_filing_attach(
    request: HttpRequest, response: HttpResponse, filing_id: int, file: File[UploadedFile]
):
    """Attach one file to the lead school's plan or summary, as the filing page does. The
    filing's ``If-Match``; the answer is the file's metadata and the filing's new ``ETag``.
    Refusals: 422 ``file_type`` (not an image, PDF or Office file, or its bytes do not match
    its name), 422 ``file_too_large`` (over 20 MB), 409 ``not_editable`` once submitted or
    accepted, 403 ``forbidden`` for anyone but the lead school. Nothing is stored then."""
    stored: list = []

    def act(row):
        stored.append(filings.filing_attach(filing=row, user=request.user, upload=file))

    _filing_write(request, filing_id, act)
    found = get_object_or_404(visible_filings(request), pk=filing_id)
    response["ETag"] = etag_of(found)
    return Status(201, evidence_out(evidence_of(found.submission, stored[0].pk)))


@router.get(
    "/community-filings/{filing_id}/attachments/{filing_evidence_id}",
    url_name="community_filing_attachment",
    openapi_extra=FILE_RESPONSE,
    tags=TAGS,
)
def community_filing_attachment(request: HttpRequest, filing_id: int, filing_evidence_id: int):
    """Download one attachment (404 outside the filings the caller reads)."""
    found = get_object_or_404(visible_filings(request), pk=filing_id)
    return file_download(evidence_of(found.submission, filing_evidence_id))


@router.delete(
    "/community-filings/{filing_id}/attachments/{filing_evidence_id}",
    response={204: None},
    url_name="community_filing_detach",
    openapi_extra=if_match(),
    tags=TAGS,
)
def community_filing_detach(
    request: HttpRequest, response: HttpResponse, filing_id: int, filing_evidence_id: int
):
    """Remove one attachment, with the filing's ``If-Match``, while the lead school may still
    change the filing (409 ``not_editable`` once submitted); 204 with the new ``ETag``."""

    def act(row):
        evidence = evidence_of(row.submission, filing_evidence_id)
        filings.filing_detach(filing=row, evidence=evidence, user=request.user)

    _filing_write(request, filing_id, act)
    found = get_object_or_404(visible_filings(request), pk=filing_id)
    response["ETag"] = etag_of(found)
    return Status(204, None)
