"""Read routes of the areas that other systems mostly mirror: accounts, standards, self-
assessment campaigns and their sheets, rectification items. Each reads through
``restrict(user, VIEW)`` after the token's scope check, so a row is visible here exactly when
it is on the pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from shidian.apps.accounts.models import User
from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import PageParams, Text, page
from shidian.apps.campaigns.models import Campaign, Sheet
from shidian.apps.core.access import VIEW
from shidian.apps.inspections.models import RectificationItem
from shidian.apps.standards.models import Standard

router = Router()


class Paged(Schema):
    count: int
    limit: int
    offset: int


# accounts -----------------------------------------------------------------------------------


class AccountOut(Schema):
    username: str
    full_name: str
    role: str
    unit: str | None
    is_active: bool


class AccountPage(Paged):
    items: list[AccountOut]


def account_out(user: User) -> dict:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "unit": user.unit.code if user.unit_id else None,
        "is_active": user.is_active,
    }


@router.get("/accounts", response=AccountPage, url_name="accounts", tags=["accounts"])
def accounts(request: HttpRequest, params: Query[PageParams]):
    user = need(request, "accounts")
    rows = User.objects.restrict(user, VIEW).select_related("unit").order_by("username")
    return page(request, rows, params, account_out)


# standards ----------------------------------------------------------------------------------


class VersionOut(Schema):
    id: int
    number: int
    status: str
    max_total: float
    published_at: str | None


class StandardOut(Schema):
    id: int
    code: str
    name: str
    unit: str
    versions: list[VersionOut]


class StandardPage(Paged):
    items: list[StandardOut]


class StandardDetail(StandardOut):
    published: dict | None


def standard_out(standard: Standard) -> dict:
    return {
        "id": standard.pk,
        "code": standard.code,
        "name": standard.name,
        "unit": standard.unit.code,
        "versions": [
            {
                "id": v.pk,
                "number": v.number,
                "status": v.status,
                "max_total": v.max_total,
                "published_at": v.published_at.isoformat() if v.published_at else None,
            }
            for v in standard.versions.all()
        ],
    }


def visible_standards(request: HttpRequest):
    user = need(request, "standards")
    rows = Standard.objects.restrict(user, VIEW).select_related("unit")
    return rows.prefetch_related("versions")


@router.get("/standards", response=StandardPage, url_name="standards", tags=["standards"])
def standards(request: HttpRequest, params: Query[PageParams]):
    return page(request, visible_standards(request).order_by("code"), params, standard_out)


@router.get(
    "/standards/{standard_id}", response=StandardDetail, url_name="standard", tags=["standards"]
)
def standard(request: HttpRequest, standard_id: int):
    found = get_object_or_404(visible_standards(request), pk=standard_id)
    latest = next((v for v in found.versions.all() if v.is_published), None)
    return {**standard_out(found), "published": latest.data if latest else None}


# campaigns and sheets -----------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    name: str
    unit: str
    programme: int | None
    opens_on: str
    deadline: str
    status: str


class CampaignPage(Paged):
    items: list[CampaignOut]


class SheetOut(Schema):
    id: int
    campaign: int
    unit: str
    unit_name: str
    status: str
    version: int
    total: float
    vetoed: bool
    answered: int
    submitted_at: str | None
    updated_at: str


class SheetPage(Paged):
    items: list[SheetOut]


class SheetDetail(SheetOut):
    answers: dict
    scores: dict
    dimension_scores: dict
    comments: dict
    return_note: str


class SheetFilters(PageParams):
    status: Text | None = None


def campaign_out(row: Campaign) -> dict:
    return {
        "id": row.pk,
        "name": row.name,
        "unit": row.unit.code,
        "programme": row.programme_id,
        "opens_on": row.opens_on.isoformat(),
        "deadline": row.deadline.isoformat(),
        "status": row.status,
    }


def sheet_out(row: Sheet) -> dict:
    return {
        "id": row.pk,
        "campaign": row.round_id,
        "unit": row.unit.code,
        "unit_name": row.unit.name,
        "status": row.status,
        "version": row.version,
        "total": row.total,
        "vetoed": row.vetoed,
        "answered": row.answered,
        "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
        "updated_at": row.updated_at.isoformat(),
    }


def visible_campaigns(request: HttpRequest):
    user = need(request, "campaigns")
    return Campaign.objects.restrict(user, VIEW).select_related("unit")


def visible_sheets(request: HttpRequest, mode: str = scopes.READ):
    user = need(request, "campaigns", mode)
    return Sheet.objects.restrict(user, VIEW).select_related("unit")


@router.get("/campaigns", response=CampaignPage, url_name="campaigns", tags=["campaigns"])
def campaigns(request: HttpRequest, params: Query[PageParams]):
    return page(request, visible_campaigns(request), params, campaign_out)


@router.get(
    "/campaigns/{campaign_id}/sheets", response=SheetPage, url_name="sheets", tags=["campaigns"]
)
def sheets(request: HttpRequest, campaign_id: int, filters: Query[SheetFilters]):
    found = get_object_or_404(visible_campaigns(request), pk=campaign_id)
    rows = visible_sheets(request).filter(round=found).order_by("unit__path")
    if filters.status:
        rows = rows.filter(status=filters.status)
    return page(request, rows, filters, sheet_out)


@router.get("/sheets/{sheet_id}", response=SheetDetail, url_name="sheet", tags=["campaigns"])
def sheet(request: HttpRequest, response: HttpResponse, sheet_id: int):
    row = get_object_or_404(visible_sheets(request), pk=sheet_id)
    response["ETag"] = etag_of(row)
    return sheet_detail_out(row)


def sheet_detail_out(row: Sheet) -> dict:
    return {
        **sheet_out(row),
        "answers": row.answers,
        "scores": row.scores,
        "dimension_scores": row.dimension_scores,
        "comments": row.comments,
        "return_note": row.return_note,
    }


# rectification ------------------------------------------------------------------------------


class RectificationOut(Schema):
    id: int
    programme: int | None
    unit: str
    title: str
    description: str
    indicator_code: str
    severity: str
    due_on: str
    status: str
    escalation_level: int
    closed_at: str | None
    updated_at: str


class RectificationPage(Paged):
    items: list[RectificationOut]


class RectificationFilters(PageParams):
    status: Text | None = None
    unit: Text | None = None


def rectification_out(row: RectificationItem) -> dict:
    return {
        "id": row.pk,
        "programme": row.programme_id,
        "unit": row.unit.code,
        "title": row.title,
        "description": row.description,
        "indicator_code": row.indicator_code,
        "severity": row.severity,
        "due_on": row.due_on.isoformat(),
        "status": row.status,
        "escalation_level": row.escalation_level,
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
        "updated_at": row.updated_at.isoformat(),
    }


def visible_items(request: HttpRequest, mode: str = scopes.READ):
    user = need(request, "rectification", mode)
    return RectificationItem.objects.restrict(user, VIEW).select_related("unit")


@router.get(
    "/rectification-items",
    response=RectificationPage,
    url_name="rectification_items",
    tags=["rectification"],
)
def rectification_items(request: HttpRequest, filters: Query[RectificationFilters]):
    rows = visible_items(request).order_by("due_on", "pk")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.unit:
        rows = rows.filter(unit__code=filters.unit)
    return page(request, rows, filters, rectification_out)


@router.get(
    "/rectification-items/{rect_item_id}",
    response=RectificationOut,
    url_name="rectification_item",
    tags=["rectification"],
)
def rectification_item(request: HttpRequest, response: HttpResponse, rect_item_id: int):
    row = get_object_or_404(visible_items(request), pk=rect_item_id)
    response["ETag"] = etag_of(row)
    return rectification_out(row)
