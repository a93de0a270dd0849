"""Read routes of acceptance (验收): the rounds a person sees on the acceptance pages (the
programme unit's office and leading group, the grants on the programme, the round's experts)
and the confirmed verdicts (验收结论) on pilots. A school never sees the round, only its own
verdict, as on its report page; a verdict exists only once the leading group has confirmed the
round. No expert's score is exposed (the review stays blind): a verdict gives the mean score,
the conclusion and its reasons, as the school's page does."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from shidian.apps.acceptance import selectors
from shidian.apps.acceptance.models import AcceptanceRound, Status, Verdict
from shidian.apps.api.auth import need
from shidian.apps.api.pagination import MAX_OFFSET, PageParams, Text, page
from shidian.apps.api.routers.areas import Paged
from shidian.apps.core.access import VIEW

router = Router(tags=["acceptance"])
AREA = "acceptance"


class RoundOut(Schema):
    id: int
    programme: int
    cycle: int
    name: str
    status: str
    pass_threshold: float
    conditional_threshold: float | None
    documents: list[str]
    created_at: str
    confirmed_at: str | None


class RoundPage(Paged):
    items: list[RoundOut]


class RoundFilters(PageParams):
    programme: int | None = Field(None, ge=1, le=MAX_OFFSET)
    status: Text | None = None


class VerdictOut(Schema):
    id: int
    acceptance: int
    acceptance_name: str
    programme: int
    unit: str
    unit_name: str
    outcome: str
    score: float | None
    reasons: list[str]
    override_reason: str
    due_on: str | None
    confirmed_at: str


class VerdictPage(Paged):
    items: list[VerdictOut]


class VerdictFilters(PageParams):
    acceptance: int | None = Field(None, ge=1, le=MAX_OFFSET)
    programme: int | None = Field(None, ge=1, le=MAX_OFFSET)
    outcome: Text | None = None
    unit: Text | None = None


def _rounds(request: HttpRequest):
    user = need(request, AREA)
    return AcceptanceRound.objects.restrict(user, VIEW).select_related("cycle")


def _verdicts(request: HttpRequest):
    user = need(request, AREA)
    return (
        Verdict.objects.restrict(user, VIEW)
        .filter(acceptance__status=Status.CONFIRMED)
        .select_related("acceptance", "unit")
    )


def round_out(row: AcceptanceRound) -> dict:
    return {
        "id": row.pk,
        "programme": row.programme_id,
        "cycle": row.cycle_id,
        "name": row.name,
        "status": row.status,
        "pass_threshold": row.pass_threshold,
        "conditional_threshold": row.conditional_threshold,
        "documents": [str(d) for d in row.documents],
        "created_at": row.created_at.isoformat(),
        "confirmed_at": row.confirmed_at.isoformat() if row.confirmed_at else None,
    }


def verdict_out(row: Verdict) -> dict:
    acceptance = row.acceptance
    return {
        "id": row.pk,
        "acceptance": acceptance.pk,
        "acceptance_name": acceptance.name,
        "programme": acceptance.programme_id,
        "unit": row.unit.code,
        "unit_name": row.unit.name,
        "outcome": row.outcome,
        "score": row.score,
        "reasons": [
            selectors.reason_text(acceptance, r["code"], r.get("params", {}))
            for r in (row.reasons or [])
        ],
        "override_reason": row.override_reason,
        "due_on": row.due_on.isoformat() if row.due_on else None,
        "confirmed_at": row.confirmed_at.isoformat(),
    }


@router.get("/acceptance-rounds", response=RoundPage, url_name="acceptance_rounds")
def acceptance_rounds(request: HttpRequest, filters: Query[RoundFilters]):
    """Rounds the caller sees, newest first (empty for a school: it sees its verdicts)."""
    rows = _rounds(request).order_by("-created_at", "-pk")
    if filters.programme is not None:
        rows = rows.filter(programme_id=filters.programme)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return page(request, rows, filters, round_out)


@router.get("/acceptance-rounds/{acceptance_id}", response=RoundOut, url_name="acceptance_round")
def acceptance_round(request: HttpRequest, acceptance_id: int):
    return round_out(get_object_or_404(_rounds(request), pk=acceptance_id))


@router.get("/acceptance-verdicts", response=VerdictPage, url_name="acceptance_verdicts")
def acceptance_verdicts(request: HttpRequest, filters: Query[VerdictFilters]):
    """Confirmed verdicts the caller sees: a school, its own."""
    rows = _verdicts(request).order_by("acceptance_id", "unit__code", "pk")
    if filters.acceptance is not None:
        rows = rows.filter(acceptance_id=filters.acceptance)
    if filters.programme is not None:
        rows = rows.filter(acceptance__programme_id=filters.programme)
    if filters.outcome:
        rows = rows.filter(outcome=filters.outcome)
    if filters.unit:
        rows = rows.filter(unit__code=filters.unit)
    return page(request, rows, filters, verdict_out)


@router.get("/acceptance-verdicts/{verdict_id}", response=VerdictOut, url_name="acceptance_verdict")
def acceptance_verdict(request: HttpRequest, verdict_id: int):
    return verdict_out(get_object_or_404(_verdicts(request), pk=verdict_id))
