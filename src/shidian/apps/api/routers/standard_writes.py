"""A standard's versions and their writes (standards:write): start a draft (a copy of a
version, or given content), change its content (the whole tree, or one item as the item page
does), publish it. A published version is frozen (409). Each write goes through the standards
services the pages call, under ``If-Match`` on the version, and answers the version as
``GET /standard-versions/{id}`` gives it with its new ETag."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.errors import ApiError
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import NO_NUL
from shidian.apps.api.writes import if_match, refused, write
from shidian.apps.core.access import MANAGE, VIEW, require
from shidian.apps.standards import services
from shidian.apps.standards.forms import ItemEditForm
from shidian.apps.standards.models import Standard, StandardVersion, VersionStatus

router = Router(tags=["standards"])

Code = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
# Bounds against absurd bodies only; the engine's and the form's limits are what is told.
Note = Annotated[str, StringConstraints(max_length=4000, pattern=NO_NUL)]
Long = Annotated[str, StringConstraints(max_length=20000, pattern=NO_NUL)]
Score = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]


class VersionDetail(Schema):
    id: int
    standard: int
    code: str
    name: str
    number: int
    status: str
    note: str
    item_count: int
    max_total: float
    published_at: str | None
    updated_at: str
    data: dict


class DraftIn(Schema):
    """Without ``data``: a copy of version ``from_version`` (a number; the latest published by
    default), as the page's 修订 button. With ``data``: that tree (the YAML file's structure)
    as the draft, as importing a file does."""

    from_version: int | None = Field(None, ge=1, le=10**6)
    data: dict[str, Any] | None = None
    note: Note = ""


class ContentIn(Schema):
    data: dict[str, Any]
    note: Note = ""


class ItemIn(Schema):
    """The item page's fields; those not given keep their value."""

    text: Long | None = None
    guidance: Long | None = None
    max_score: Score | None = None
    evidence_required: bool | None = None


def version_out(row: StandardVersion) -> dict:
    return {
        "id": row.pk,
        "standard": row.standard_id,
        "code": row.standard.code,
        "name": row.standard.name,
        "number": row.number,
        "status": row.status,
        "note": row.note,
        "item_count": row.item_count,
        "max_total": row.max_total,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "updated_at": row.updated_at.isoformat(),
        "data": row.data,
    }


def visible_versions(request: HttpRequest, mode: str = scopes.READ):
    user = need(request, "standards", mode)
    return StandardVersion.objects.restrict(user, VIEW).select_related("standard")


def _manager(request: HttpRequest):
    """The caller, with the write scope. Whether it manages (MANAGE, as the standards pages
    ask) is checked on the object once found: another county's object is 404 before that."""
    return need(request, "standards", scopes.WRITE)


def _answer(response: HttpResponse, request: HttpRequest, version_id: int) -> dict:
    row = get_object_or_404(visible_versions(request), pk=version_id)
    response["ETag"] = etag_of(row)
    return version_out(row)


def _parsed(data: dict) -> Any:
    return services.standard_from_data(data)


@router.get("/standard-versions/{version_id}", response=VersionDetail, url_name="standard_version")
def standard_version(request: HttpRequest, response: HttpResponse, version_id: int):
    """One version with its whole tree (``data``) and its ``ETag`` for the writes below."""
    return _answer(response, request, version_id)


@router.post(
    "/standards/{standard_id}/drafts",
    response={200: VersionDetail, 201: VersionDetail},
    url_name="standard_draft",
)
def standard_draft(request: HttpRequest, response: HttpResponse, standard_id: int, body: DraftIn):
    """Start the standard's draft: 201 with the new draft, or 200 with the draft it already
    has (one draft at a time, as on the page; with ``data`` that draft's tree is replaced).
    Refusals: 422 ``invalid_standard`` with the engine's problems in ``details``, 409
    ``no_version`` without a version to copy, 404 for a standard the caller cannot see or an
    unknown ``from_version``, 403 ``forbidden`` for an account that does not manage."""
    user = _manager(request)
    with transaction.atomic():
        rows = Standard.objects.restrict(user, VIEW).select_for_update(of=("self",))
        standard = get_object_or_404(rows, pk=standard_id)  # scoping: ok rows restricted above
        require(user, MANAGE, standard)
        draft = standard.versions.filter(status=VersionStatus.DRAFT).first()
        versions = standard.versions.all()
        if body.from_version is not None:
            source = get_object_or_404(versions, number=body.from_version)  # scoping: ok
        else:
            published = versions.filter(status=VersionStatus.PUBLISHED).order_by("-number")
            source = published.first() or versions.order_by("-number").first()
        if source is None:
            raise ApiError(409, "no_version", _("该指标体系还没有版本。"))
        try:
            parsed = _parsed(body.data) if body.data is not None else None
            # The page's 修订: a copy of the source, or the draft the standard already has.
            version = services.version_new_draft(version=source, user=user)
            if parsed is not None:
                version = services.draft_replace(
                    version=version, user=user, parsed=parsed, note=body.note
                )
        except ValidationError as exc:
            raise refused(exc, code="invalid_standard") from exc
    status = 200 if draft is not None else 201
    return Status(status, _answer(response, request, version.pk))


@router.put(
    "/standard-versions/{version_id}",
    response=VersionDetail,
    url_name="standard_version_replace",
    openapi_extra=if_match(),
)
def version_replace(request: HttpRequest, response: HttpResponse, version_id: int, body: ContentIn):
    """Replace the draft's whole tree with ``data`` (the YAML file's structure, the same
    checks as an import), keeping the standard's code. 409 ``not_editable`` for a published
    version, 422 ``invalid_standard`` with the engine's problems in ``details``."""
    user = _manager(request)

    def act(row):
        require(user, MANAGE, row)
        services.version_require_draft(row)
        services.draft_replace(version=row, user=user, parsed=_parsed(body.data), note=body.note)

    rows = visible_versions(request, scopes.WRITE)
    write(request, rows, version_id, act, invalid="invalid_standard")
    return _answer(response, request, version_id)


def _form_problems(form: ItemEditForm) -> ValidationError:
    problems = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else field
        for message in errors:
            text = _("%(field)s：%(message)s") % {"field": label, "message": message}
            problems.append(ValidationError(text, code="invalid_item"))
    return ValidationError(problems)


@router.patch(
    "/standard-versions/{version_id}/items/{item_code}",
    response=VersionDetail,
    url_name="standard_item_update",
    openapi_extra=if_match(),
)
def item_update(
    request: HttpRequest, response: HttpResponse, version_id: int, item_code: Code, body: ItemIn
):
    """Change one item of the draft as the item page does (``text``, ``guidance``,
    ``max_score``, ``evidence_required``; those not given are kept), through the page's form
    and the engine's checks. 404 for an item the version does not have, 409 ``not_editable``
    for a published version, 422 ``invalid_item`` with each problem in ``details``."""
    user = _manager(request)

    def act(row):
        require(user, MANAGE, row)
        services.version_require_draft(row)
        item = next((i for i in row.as_standard().items() if i.code == item_code), None)
        if item is None:
            raise Http404
        current = {
            "text": item.text,
            "guidance": item.guidance,
            "max_score": item.max_score,
            "evidence_required": item.evidence_required,
        }
        given = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
        merged = {**current, **given}
        if not merged["evidence_required"]:
            merged.pop("evidence_required")  # an unchecked box is absent from a form post
        form = ItemEditForm(data=merged)
        if not form.is_valid():
            raise _form_problems(form)
        services.version_update_item(
            version=row, user=user, code=item_code, changes=form.cleaned_data
        )

    rows = visible_versions(request, scopes.WRITE)
    write(request, rows, version_id, act, invalid="invalid_item")
    return _answer(response, request, version_id)


@router.post(
    "/standard-versions/{version_id}/publish",
    response=VersionDetail,
    url_name="standard_version_publish",
    openapi_extra=if_match(),
)
def version_publish(request: HttpRequest, response: HttpResponse, version_id: int):
    """Publish the draft: from now on it is frozen and campaigns may pin it. 409
    ``not_editable`` when it is published already."""
    user = _manager(request)

    def act(row):
        require(user, MANAGE, row)
        services.version_require_draft(row)
        services.version_publish(version=row, user=user)

    write(request, visible_versions(request, scopes.WRITE), version_id, act)
    return _answer(response, request, version_id)
