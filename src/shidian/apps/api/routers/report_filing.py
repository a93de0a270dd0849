"""A unit's periodic report (one submission per unit and period): read it with its ETag, save
values, submit (reports:write); the office returns (退回) or accepts (通过) it. The writes go
through the submission services the fill page calls, so a value is cleaned, and the form's
rules are checked on submit, exactly as there; submitting copies the values into
``GET /report-values``."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import StringConstraints

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import MAX_OFFSET, NO_NUL, PageParams, Text, page
from shidian.apps.api.routers.areas import Paged
from shidian.apps.api.writes import if_match, write
from shidian.apps.core.access import VIEW
from shidian.apps.notifications.links import request_base_url
from shidian.apps.reports.kind import KIND, fields_of
from shidian.apps.reports.models import FieldType
from shidian.apps.submissions import services as submission_services
from shidian.apps.submissions.models import Submission

router = Router(tags=["reports"])

Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=NO_NUL)]
Value = Annotated[str, StringConstraints(max_length=4000, pattern=NO_NUL)]
Long = Annotated[str, StringConstraints(max_length=4000, pattern=NO_NUL)]
Number = Annotated[float, Field(ge=-1e15, le=1e15, allow_inf_nan=False)]


class ReportOut(Schema):
    id: int
    form: int
    period: str
    period_label: str
    unit: str
    unit_name: str
    status: str
    version: int
    answered: int
    submitted_at: str | None
    updated_at: str


class ReportDetail(ReportOut):
    values: dict
    comments: dict
    return_note: str


class ReportPage(Paged):
    items: list[ReportOut]


class ReportFilters(PageParams):
    form: int | None = Field(None, ge=1, le=MAX_OFFSET)
    period: Text | None = None
    unit: Text | None = None
    status: Text | None = None


class ValuesIn(Schema):
    """Field code -> value as the fill page takes it: a number or percentage, 是/否 or 1/0, a
    choice label, a text, ``"na"`` where the field allows "not applicable"; ``null`` or ``""``
    clears it."""

    values: dict[Code, bool | Number | Value | None] = Field(..., max_length=1000)


class ReturnIn(Schema):
    """The office's comments per field code and a note for the unit, as on the fill page."""

    comments: dict[Code, Long] = Field(default_factory=dict, max_length=1000)
    note: Long = ""


def report_out(row: Submission) -> dict:
    period = row.round.report_period
    return {
        "id": row.pk,
        "form": period.form_id,
        "period": period.key,
        "period_label": period.label,
        "unit": row.unit.code,
        "unit_name": row.unit.name,
        "status": row.status,
        "version": row.version,
        "answered": row.answered,
        "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
        "updated_at": row.updated_at.isoformat(),
    }


def report_detail_out(row: Submission) -> dict:
    return {
        **report_out(row),
        "values": row.answers,
        "comments": row.comments,
        "return_note": row.return_note,
    }


def visible_reports(request: HttpRequest, mode: str = scopes.READ):
    user = need(request, "reports", mode)
    rows = Submission.objects.restrict(user, VIEW).filter(round__kind=KIND)
    return rows.select_related("round__report_period", "unit")


def _answer(response: HttpResponse, request: HttpRequest, submission_id: int) -> dict:
    row = get_object_or_404(visible_reports(request), pk=submission_id)
    response["ETag"] = etag_of(row)
    return report_detail_out(row)


@router.get("/report-submissions", response=ReportPage, url_name="report_submissions")
def report_submissions(request: HttpRequest, filters: Query[ReportFilters]):
    """The units' reports the caller sees (a school its own, an office those of its subtree),
    each with its status and version; ``period`` is the period key (``2026-04``)."""
    rows = visible_reports(request).defer("answers", "scores", "dimension_scores")
    if filters.form is not None:
        rows = rows.filter(round__report_period__form_id=filters.form)
    if filters.period:
        rows = rows.filter(round__report_period__key=filters.period)
    if filters.unit:
        rows = rows.filter(unit__code=filters.unit)
    if filters.status:
        rows = rows.filter(status=filters.status)
    rows = rows.order_by("round__report_period__starts_on", "unit__path", "pk")
    return page(request, rows, filters, report_out)


@router.get("/report-submissions/{submission_id}", response=ReportDetail, url_name="report")
def report(request: HttpRequest, response: HttpResponse, submission_id: int):
    """One report with its current values (saved or submitted), the office's comments, and
    an ``ETag`` for the writes."""
    return _answer(response, request, submission_id)


def _check_fields(row: Submission, codes) -> None:
    """A file field's value is the name of its uploaded file: it changes with an upload
    (``POST /report-submissions/{id}/evidence``), never through a save."""
    files = {f.code: f.label for f in fields_of(row.round) if f.type == FieldType.FILE}
    named = [code for code in codes if code in files]
    if named:
        raise ValidationError(
            [
                ValidationError(
                    _("“%(label)s”是附件字段，请通过佐证材料接口上传文件。") % {"label": files[c]},
                    code="file_field",
                )
                for c in named
            ]
        )


@router.patch(
    "/report-submissions/{submission_id}",
    response=ReportDetail,
    url_name="report_save",
    openapi_extra=if_match(),
)
def report_save(request: HttpRequest, response: HttpResponse, submission_id: int, body: ValuesIn):
    """Save values of the unit's report (the unit's own accounts, as on the fill page). Only
    the fields named change; the whole report is then checked as the page's save does, in one
    revision. Refusals: 422 ``invalid_values`` (each problem in ``details``, nothing saved),
    422 ``unknown_item`` for a code the form does not have, 409 ``not_editable`` once
    submitted; 403 ``forbidden`` for an account that may see the report but not fill it."""

    def act(row):
        row.round._report_period = row.round.report_period
        _check_fields(row, body.values)
        submission_services.submission_save_answers(
            submission=row, user=request.user, changes=body.values, base_version=row.version
        )

    write(
        request,
        visible_reports(request, scopes.WRITE),
        submission_id,
        act,
        invalid="invalid_values",
        message=lambda problems: _("未保存：%(p)s") % {"p": "；".join(problems)},
    )
    return _answer(response, request, submission_id)


@router.post(
    "/report-submissions/{submission_id}/submit",
    response=ReportDetail,
    url_name="report_submit",
    openapi_extra=if_match(),
)
def report_submit(request: HttpRequest, response: HttpResponse, submission_id: int):
    """Submit (报送) the report: required fields filled and the form's rules met, else 422
    ``incomplete`` with each problem in ``details``; 409 ``not_editable`` once submitted. A
    report after its deadline is taken and counted late, as on the page."""

    def act(row):
        row.round._report_period = row.round.report_period
        submission_services.submission_submit(submission=row, user=request.user)

    write(
        request,
        visible_reports(request, scopes.WRITE),
        submission_id,
        act,
        invalid="incomplete",
        message=lambda problems: _("还不能提交：%(problems)s") % {"problems": "；".join(problems)},
    )
    return _answer(response, request, submission_id)


@router.post(
    "/report-submissions/{submission_id}/return",
    response=ReportDetail,
    url_name="report_return",
    openapi_extra=if_match(),
)
def report_return(request: HttpRequest, response: HttpResponse, submission_id: int, body: ReturnIn):
    """The office that runs the form sends a submitted report back (退回) with ``comments``
    per field code and a ``note``; the unit's coordinators are told, as from the fill page.
    403 ``forbidden`` for anyone else (the unit itself too), 409 ``not_submitted`` unless the
    report waits for a decision, 422 ``unknown_item`` for a comment on a field the form does
    not have."""
    comments = {code: text for code, text in body.comments.items() if text.strip()}

    def act(row):
        row.round._report_period = row.round.report_period
        submission_services.submission_return(
            submission=row,
            user=request.user,
            comments=comments,
            note=body.note,
            base_url=request_base_url(request),
        )

    write(request, visible_reports(request, scopes.WRITE), submission_id, act)
    return _answer(response, request, submission_id)


@router.post(
    "/report-submissions/{submission_id}/accept",
    response=ReportDetail,
    url_name="report_accept",
    openapi_extra=if_match(),
)
def report_accept(request: HttpRequest, response: HttpResponse, submission_id: int):
    """The office accepts (通过) a submitted report. 403 ``forbidden`` for anyone else, 409
    ``not_submitted`` unless the report waits for a decision."""

    def act(row):
        row.round._report_period = row.round.report_period
        submission_services.submission_accept(submission=row, user=request.user)

    write(request, visible_reports(request, scopes.WRITE), submission_id, act)
    return _answer(response, request, submission_id)
