"""Read routes of typical cases (典型案例): the published cases a person may read (the
programme unit's whole subtree, experts excepted, as in the library) and the case submissions
of the caller's own school (what it fills, in every state)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from shidian.apps.api.auth import need
from shidian.apps.api.pagination import MAX_OFFSET, PageParams, Text, page
from shidian.apps.api.routers.areas import Paged
from shidian.apps.cases.models import Case
from shidian.apps.cases.selectors import my_case_submissions, visible_cases

router = Router(tags=["cases"])


class CaseOut(Schema):
    id: int
    programme: int
    unit: str
    unit_name: str
    title: str
    summary: str
    subject: str
    theme: str
    school_type: str
    published_at: str


class CaseDetail(CaseOut):
    body: str


class CasePage(Paged):
    items: list[CaseOut]


class CaseFilters(PageParams):
    programme: int | None = Field(None, ge=1, le=MAX_OFFSET)
    subject: Text | None = None
    theme: Text | None = None
    school_type: Text | None = None


class MyCaseOut(Schema):
    submission: int
    call: int
    call_name: str
    programme: int | None
    status: str
    title: str
    submitted_at: str | None
    updated_at: str
    case: int | None


class MyCasePage(Paged):
    items: list[MyCaseOut]


def case_out(row: Case) -> dict:
    return {
        "id": row.pk,
        "programme": row.programme_id,
        "unit": row.unit.code,
        "unit_name": row.unit.name,
        "title": row.title,
        "summary": row.summary,
        "subject": row.subject,
        "theme": row.theme,
        "school_type": row.school_type,
        "published_at": row.published_at.isoformat(),
    }


def _visible(request: HttpRequest, filters: CaseFilters | None = None):
    user = need(request, "cases")
    f = filters or CaseFilters()
    rows = visible_cases(
        user,
        programme_id=f.programme,
        subject=f.subject or "",
        school_type=f.school_type or "",
        theme=f.theme or "",
    )
    return rows.select_related("unit")


@router.get("/cases", response=CasePage, url_name="cases")
def cases(request: HttpRequest, filters: Query[CaseFilters]):
    """Published cases, newest first."""
    rows = _visible(request, filters).order_by("-published_at", "-pk")
    return page(request, rows, filters, case_out)


@router.get("/cases/{case_id}", response=CaseDetail, url_name="case")
def case(request: HttpRequest, case_id: int):
    found = get_object_or_404(_visible(request), pk=case_id)
    return {**case_out(found), "body": found.body}


@router.get("/my-cases", response=MyCasePage, url_name="my_cases")
def my_cases(request: HttpRequest, params: Query[PageParams]):
    """The caller's school's case submissions (empty for an account that fills none)."""
    user = need(request, "cases")
    rows = my_case_submissions(user).select_related("published_case")

    def out(row) -> dict:
        published = getattr(row, "published_case", None)
        return {
            "submission": row.pk,
            "call": row.round_id,
            "call_name": row.round.name,
            "programme": row.round.programme_id,
            "status": row.status,
            "title": str((row.answers or {}).get("title") or ""),
            "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
            "updated_at": row.updated_at.isoformat(),
            "case": published.pk if published else None,
        }

    return page(request, rows, params, out)
