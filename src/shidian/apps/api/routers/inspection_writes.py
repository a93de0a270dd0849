"""Writes of inspections (inspections:write), as on the inspection pages: the programme's office
schedules a visit (schools chosen directly, from the bottom of a month's league table, or by a
stratified random draw), starts, completes or cancels it; the office or the visit's inspectors
record findings on site; the office turns a finding that needs action into one rectification
item per school it covers.

Each write parses its body with the page's form (``inspections.forms``: 422 ``refused`` with the
form's messages) and calls the service the page calls (``inspections.services.visits``). A
visit's moves take its ``If-Match`` (``GET /inspection-visits/{id}``) and answer the visit as
that GET does with its new ETag; a new visit or finding answers 201 with ``Location``. Answering
and closing the items is the rectification area's (rectification_writes.py). Photos of a
finding are uploaded on the page only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.pagination import MAX_OFFSET, NO_NUL, Text
from shidian.apps.api.routers.areas import RectificationOut, rectification_out
from shidian.apps.api.routers.lifecycle_inspections import (
    AREA,
    FindingOut,
    VisitDetail,
    finding_answer,
    visible_findings,
    visible_visits,
    visit_answer,
)
from shidian.apps.api.writes import form_refused, if_match, refused, write
from shidian.apps.core.access import VIEW, get_scoped_or_404
from shidian.apps.inspections import forms
from shidian.apps.inspections.services import visits
from shidian.apps.programmes.models import Programme

router = Router(tags=["inspections"])

# The forms' own limits are what the page tells; these bounds only keep a body from being absurd
# (and a number inside every database's integer range).
Long = Annotated[str, StringConstraints(max_length=20000, pattern=NO_NUL)]
Number = Annotated[int, Field(ge=-MAX_OFFSET, le=MAX_OFFSET)]
Seed = Annotated[int, Field(ge=-(2**63), le=2**63)]


class VisitIn(Schema):
    """The visit form's fields. ``method``: ``direct`` (``units``: school codes among the
    programme's pilots), ``performance`` (``month`` YYYY-MM and ``count``: the bottom of that
    month's league table) or ``random`` (``size``, ``strata`` among ``zone``, ``school_type``,
    ``locality``, and an optional ``seed``); ``cycle_number`` limits the schools to one batch.
    ``inspectors`` are usernames of the programme unit's office, leading group, zone or expert
    accounts."""

    # Defaults everywhere: the programme is looked up (404) before any field is missed.
    title: Long = ""
    scheduled_on: dt.date | None = None
    method: Text = ""
    inspectors: list[Text] = Field(default_factory=list, max_length=500)
    units: list[Text] = Field(default_factory=list, max_length=5000)
    month: Text = ""
    count: Number | None = None
    cycle_number: Number | None = None
    size: Number | None = None
    strata: list[Text] = Field(default_factory=list, max_length=10)
    seed: Seed | None = None


class FindingIn(Schema):
    """The finding form's fields: ``units`` (codes of the visit's schools it covers), ``text``,
    ``indicator_code`` (one of the programme's standard, or blank), ``needs_action`` and
    ``severity`` (``minor``, ``normal``, ``major``)."""

    units: list[Text] = Field(default_factory=list, max_length=5000)
    indicator_code: Text = ""
    text: Long = ""
    needs_action: bool = True
    severity: Text = "normal"


class TurnIn(Schema):
    """The turn form's fields: ``due_on`` (required), ``title`` (blank: the finding's first
    line) and the ``evidence_required``."""

    title: Long = ""
    due_on: dt.date | None = None
    evidence_required: Long = ""


class TurnOut(Schema):
    finding: FindingOut
    items: list[RectificationOut]


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _pick(field: Any, chosen: list[str], known: dict[str, str]) -> tuple[list[str], list[Any]]:
    """The form's values for the names the caller sent (codes, usernames) and, for a name the
    form does not offer, its own "not one of the choices" error naming it."""
    values, unknown = [], []
    for name in dict.fromkeys(chosen):
        if name in known:
            values.append(known[name])
        else:
            unknown.append(
                ValidationError(
                    field.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": name},
                )
            )
    return values, unknown


def _checked(form, unknown: dict[str, list[Any]]) -> None:
    """Validate ``form`` as the page does (with the unknown names' errors); 422 ``invalid``
    with each problem as "label：message" otherwise."""
    form.is_valid()
    for name, errors in unknown.items():
        for error in errors:
            form.add_error(name, error)
    if form.errors:
        raise form_refused(form)


def _visit_form(body: VisitIn, programme: Programme) -> forms.VisitForm:
    pool = visits.population(programme)
    candidates = forms.inspector_candidates(programme).filter(username__in=body.inspectors)
    fields = forms.VisitForm.base_fields
    units, bad_units = _pick(fields["units"], body.units, {u.code: str(u.pk) for u in pool})
    inspectors, bad_inspectors = _pick(
        fields["inspectors"], body.inspectors, {u.username: str(u.pk) for u in candidates}
    )
    data = {
        "title": body.title,
        "scheduled_on": body.scheduled_on.isoformat() if body.scheduled_on else "",
        "method": body.method,
        "inspectors": inspectors,
        "units": units,
        "month": body.month,
        "count": _number(body.count),
        "cycle_number": _number(body.cycle_number),
        "size": _number(body.size),
        "strata": list(body.strata),
        "seed": _number(body.seed),
    }
    form = forms.VisitForm(data, programme=programme, pool=pool)
    _checked(form, {"units": bad_units, "inspectors": bad_inspectors})
    return form


@router.post(
    "/programmes/{programme_id}/inspection-visits",
    response={201: VisitDetail},
    url_name="inspection_visit_create",
)
def inspection_visit_create(
    request: HttpRequest, response: HttpResponse, programme_id: int, body: VisitIn
):
    """Schedule a visit of the programme, as its new-visit page: the office of the
    programme's unit (MANAGE; 403 ``forbidden`` for anyone else who sees the programme, 404
    for who does not). The inspectors are told. 201 with the visit as
    ``GET /inspection-visits/{id}`` gives it, its ``ETag`` and ``Location``. 422 ``refused``
    with the form's messages (no title or date, an unknown method, a school that is not a
    pilot, an account that cannot inspect) or the service's (no school chosen, no league
    table for the month, more schools to draw than there are)."""
    user = need(request, AREA, scopes.WRITE)
    programme = get_scoped_or_404(
        Programme.objects.select_related("unit"), user, VIEW, pk=programme_id
    )
    if not visits.may_schedule(user, programme):
        raise PermissionDenied
    form = _visit_form(body, programme)
    try:
        with transaction.atomic():
            made = form.create_visit(by=user, programme=programme)
    except ValidationError as exc:
        raise refused(exc, code="refused") from exc
    response["Location"] = reverse("api-v1:inspection_visit", kwargs={"visit_id": made.pk})
    return Status(201, visit_answer(request, response, made.pk))


def _move(request: HttpRequest, response: HttpResponse, visit_id: int, move) -> dict:
    def act(row):
        move(by=request.user, visit=row)

    write(request, visible_visits(request, scopes.WRITE), visit_id, act)
    return visit_answer(request, response, visit_id)


MOVE_DOC = (
    "{what}, as the visit page's button: the office of the programme's unit (MANAGE; 403"
    " ``forbidden`` for its inspectors and anyone else who sees it), under ``If-Match``. Answers"
    " the visit with its new ``ETag``; 409 ``not_allowed`` when the visit's status does not"
    " allow it."
)


@router.post(
    "/inspection-visits/{visit_id}/start",
    response=VisitDetail,
    url_name="inspection_visit_start",
    openapi_extra=if_match(),
    description=MOVE_DOC.format(what="Start a scheduled visit (scheduled -> in_progress)"),
)
def inspection_visit_start(request: HttpRequest, response: HttpResponse, visit_id: int):
    return _move(request, response, visit_id, visits.visit_start)


@router.post(
    "/inspection-visits/{visit_id}/complete",
    response=VisitDetail,
    url_name="inspection_visit_complete",
    openapi_extra=if_match(),
    description=MOVE_DOC.format(what="Complete a visit under way (in_progress -> completed)"),
)
def inspection_visit_complete(request: HttpRequest, response: HttpResponse, visit_id: int):
    return _move(request, response, visit_id, visits.visit_complete)


@router.post(
    "/inspection-visits/{visit_id}/cancel",
    response=VisitDetail,
    url_name="inspection_visit_cancel",
    openapi_extra=if_match(),
    description=MOVE_DOC.format(
        what="Cancel a visit not yet completed (scheduled or in_progress -> cancelled)"
    ),
)
def inspection_visit_cancel(request: HttpRequest, response: HttpResponse, visit_id: int):
    return _move(request, response, visit_id, visits.visit_cancel)


@router.post(
    "/inspection-visits/{visit_id}/findings",
    response={201: FindingOut},
    url_name="inspection_finding_add",
)
def inspection_finding_add(
    request: HttpRequest, response: HttpResponse, visit_id: int, body: FindingIn
):
    """Record a finding on site, as the finding form (without photos: those are uploaded on
    the page): the office of the programme's unit or the visit's own inspectors (403
    ``forbidden`` for anyone else who sees the visit). 201 with the finding as
    ``GET /inspection-findings/{id}`` gives it and ``Location``. 422 ``refused`` with the
    form's or the service's messages (no text, no school or one not visited, an indicator the
    programme's standard does not have); 409 ``not_allowed`` once the visit is completed or
    cancelled."""
    user = need(request, AREA, scopes.WRITE)
    visit = get_object_or_404(visible_visits(request, scopes.WRITE), pk=visit_id)
    if not visits.may_record(user, visit):
        raise PermissionDenied
    schools = [vu.unit for vu in visit.visit_units.select_related("unit")]
    units, bad_units = _pick(
        forms.FindingForm.base_fields["units"], body.units, {u.code: str(u.pk) for u in schools}
    )
    data = {
        "units": units,
        "indicator_code": body.indicator_code,
        "text": body.text,
        "severity": body.severity,
    }
    if body.needs_action:  # a checkbox: absent means unticked
        data["needs_action"] = "on"
    form = forms.FindingForm(
        data, units=schools, indicators=visits.indicator_choices(visit.programme)
    )
    _checked(form, {"units": bad_units})
    cleaned = form.cleaned_data
    try:
        with transaction.atomic():
            made = visits.finding_add(
                by=user,
                visit=visit,
                text=cleaned["text"],
                units=form.chosen_units(),
                indicator_code=cleaned.get("indicator_code") or "",
                needs_action=cleaned["needs_action"],
                severity=cleaned["severity"],
            )
    except ValidationError as exc:
        raise refused(exc, code="refused") from exc
    response["Location"] = reverse("api-v1:inspection_finding", kwargs={"finding_id": made.pk})
    return Status(201, finding_answer(request, made.pk))


@router.post(
    "/inspection-findings/{finding_id}/turn",
    response={201: TurnOut},
    url_name="inspection_finding_turn",
)
def inspection_finding_turn(
    request: HttpRequest, response: HttpResponse, finding_id: int, body: TurnIn
):
    """Turn a finding into rectification items (下达整改), as the visit page's form: one item
    per school the finding covers, all or none, each school's accounts told. Only the office
    of the programme's unit (403 ``forbidden`` for the inspectors, the schools and anyone else
    who sees the finding). 201 with the finding (``Location``: its GET) and the items made, as
    ``GET /rectification-items/{id}`` gives them (read one for its ETag). 422 ``refused`` with
    the form's messages (no or a bad ``due_on``, too long a title); 409 ``not_allowed`` for a
    finding that needs no action or was turned already."""
    user = need(request, AREA, scopes.WRITE)
    finding = get_object_or_404(visible_findings(request, scopes.WRITE), pk=finding_id)
    if not visits.may_turn(user, finding):
        raise PermissionDenied
    form = forms.TurnForm(
        {
            "title": body.title,
            "due_on": body.due_on.isoformat() if body.due_on else "",
            "evidence_required": body.evidence_required,
        }
    )
    _checked(form, {})
    data = form.cleaned_data
    try:
        with transaction.atomic():
            items = visits.finding_to_items(
                by=user,
                finding=finding,
                due_on=data["due_on"],
                title=data["title"],
                evidence_required=data["evidence_required"],
            )
    except ValidationError as exc:
        raise refused(exc, code="refused") from exc
    response["Location"] = reverse("api-v1:inspection_finding", kwargs={"finding_id": finding.pk})
    return Status(
        201,
        {
            "finding": finding_answer(request, finding.pk),
            "items": [rectification_out(item) for item in items],
        },
    )
