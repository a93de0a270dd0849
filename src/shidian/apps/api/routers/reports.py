"""Read routes of periodic reports: forms with their fields and rules, periods, and the
submitted values. Forms and periods are the office's (a school reaches its report through its
own submission, as on the pages, so its form list is empty); values concern their unit, so a
school reads its own and the zone and county above it read theirs."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from shidian.apps.api.auth import need
from shidian.apps.api.pagination import MAX_OFFSET, PageParams, Text, page
from shidian.apps.api.routers.areas import Paged
from shidian.apps.core.access import VIEW
from shidian.apps.reports.models import ReportForm, ReportPeriod, ReportValue

router = Router(tags=["reports"])


class FieldOut(Schema):
    code: str
    label: str
    type: str
    unit_label: str
    required: bool
    allow_na: bool
    minimum: float | None
    maximum: float | None
    choices: list[str]


class RuleOut(Schema):
    left: str
    operator: str
    right: str
    message: str


class FormOut(Schema):
    id: int
    programme: int
    name: str
    description: str
    period_type: str
    due_days: int
    grace_days: int
    audience: str
    starts_on: str
    ends_on: str
    status: str
    fields: list[FieldOut]
    updated_at: str


class FormDetail(FormOut):
    rules: list[RuleOut]


class FormPage(Paged):
    items: list[FormOut]


class FormFilters(PageParams):
    programme: int | None = Field(None, ge=1, le=MAX_OFFSET)
    status: Text | None = None


class PeriodOut(Schema):
    id: int
    form: int
    key: str
    label: str
    starts_on: str
    ends_on: str
    due_on: str
    closes_on: str
    expected: bool


class PeriodPage(Paged):
    items: list[PeriodOut]


class PeriodFilters(PageParams):
    expected: bool | None = None


class ValueOut(Schema):
    form: int
    period: str
    unit: str
    field: str
    number: float | None
    text: str
    na: bool
    submission: int


class ValuePage(Paged):
    items: list[ValueOut]


class ValueFilters(PageParams):
    form: int | None = Field(None, ge=1, le=MAX_OFFSET)
    period: Text | None = None
    unit: Text | None = None
    field: Text | None = None


def field_out(row) -> dict:
    return {
        "code": row.code,
        "label": row.label,
        "type": row.type,
        "unit_label": row.unit_label,
        "required": row.required,
        "allow_na": row.allow_na,
        "minimum": row.minimum,
        "maximum": row.maximum,
        "choices": [str(c) for c in row.choices or []],
    }


def form_out(row: ReportForm) -> dict:
    return {
        "id": row.pk,
        "programme": row.programme_id,
        "name": row.name,
        "description": row.description,
        "period_type": row.period_type,
        "due_days": row.due_days,
        "grace_days": row.grace_days,
        "audience": row.audience,
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat(),
        "status": row.status,
        "fields": [field_out(f) for f in row.fields.all()],
        "updated_at": row.updated_at.isoformat(),
    }


def period_out(row: ReportPeriod) -> dict:
    return {
        "id": row.pk,
        "form": row.form_id,
        "key": row.key,
        "label": row.label,
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat(),
        "due_on": row.due_on.isoformat(),
        "closes_on": row.closes_on.isoformat(),
        "expected": row.expected,
    }


def value_out(row: ReportValue) -> dict:
    return {
        "form": row.period.form_id,
        "period": row.period.key,
        "unit": row.unit.code,
        "field": row.field.code,
        "number": row.number,
        "text": row.text,
        "na": row.na,
        "submission": row.submission_id,
    }


def visible_forms(request: HttpRequest):
    user = need(request, "reports")
    return ReportForm.objects.restrict(user, VIEW).prefetch_related("fields")


@router.get("/report-forms", response=FormPage, url_name="report_forms")
def report_forms(request: HttpRequest, filters: Query[FormFilters]):
    rows = visible_forms(request).order_by("-created_at", "-pk")
    if filters.programme is not None:
        rows = rows.filter(programme_id=filters.programme)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return page(request, rows, filters, form_out)


@router.get("/report-forms/{form_id}", response=FormDetail, url_name="report_form")
def report_form(request: HttpRequest, form_id: int):
    found = get_object_or_404(visible_forms(request).prefetch_related("rules"), pk=form_id)
    rules = [
        {"left": r.left, "operator": r.operator, "right": r.right, "message": r.message}
        for r in found.rules.all()
    ]
    return {**form_out(found), "rules": rules}


@router.get("/report-forms/{form_id}/periods", response=PeriodPage, url_name="report_periods")
def report_periods(request: HttpRequest, form_id: int, filters: Query[PeriodFilters]):
    found = get_object_or_404(visible_forms(request), pk=form_id)
    user = request.user
    rows = ReportPeriod.objects.restrict(user, VIEW).filter(form=found).order_by("starts_on")
    if filters.expected is not None:
        rows = rows.filter(expected=filters.expected)
    return page(request, rows, filters, period_out)


@router.get("/report-values", response=ValuePage, url_name="report_values")
def report_values(request: HttpRequest, filters: Query[ValueFilters]):
    """Submitted values, one per unit, period and field (copied on every submit)."""
    user = need(request, "reports")
    rows = ReportValue.objects.restrict(user, VIEW).select_related("period", "unit", "field")
    if filters.form is not None:
        rows = rows.filter(period__form_id=filters.form)
    if filters.period:
        rows = rows.filter(period__key=filters.period)
    if filters.unit:
        rows = rows.filter(unit__code=filters.unit)
    if filters.field:
        rows = rows.filter(field__code=filters.field)
    rows = rows.order_by("period__starts_on", "period_id", "unit__path", "field__order", "pk")
    return page(request, rows, filters, value_out)
