"""Writes on organisation units (units:write): create a unit under a parent in the caller's
subtree, change a unit's fields (its parent too: a move). Each is one row of a units file put
through the import's checks and code (``orgs.imports.unit_save``), so the API refuses what the
import page refuses, in the same words; the answer is the unit as ``GET /units/{code}`` gives
it, with its new ETag."""

from __future__ import annotations

from typing import Annotated, Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Schema, Status
from pydantic import StringConstraints

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.etags import etag_of
from shidian.apps.api.pagination import NO_NUL
from shidian.apps.api.routers import units
from shidian.apps.api.routers.units import UnitOut, unit_out, visible_units
from shidian.apps.api.writes import if_match, refused, write
from shidian.apps.orgs.imports import UnitSaveError, unit_save
from shidian.apps.orgs.unitrows import CLEAR_MARKERS

# The read router: POST and PATCH share their paths with ``GET /units`` and ``GET
# /units/{code}``, and Django would send every method to the first router's pattern. api.py
# imports this module before mounting it.
router = units.router
TAGS = ["units"]

# Bounds against absurd bodies only: the import's own limits (the model's lengths) are what
# the service checks and words.
Code = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
Text = Annotated[str, StringConstraints(max_length=1000, pattern=NO_NUL)]
Count = Annotated[int, Field(ge=-(10**12), le=10**12)]
Coordinate = Annotated[float, Field(ge=-1e6, le=1e6, allow_inf_nan=False)]


class UnitFields(Schema):
    """A unit's editable fields. ``parent`` and ``zone`` are unit codes (a zone also by its
    name); ``level``, ``school_type`` and ``locality`` take the codes ``GET /units`` shows (or
    the page's Chinese labels)."""

    name: Text | None = None
    parent: Code | None = None
    level: Code | None = None
    school_type: Code | None = None
    locality: Code | None = None
    zone: Code | None = None
    address: Text | None = None
    latitude: Coordinate | None = None
    longitude: Coordinate | None = None
    students: Count | None = None
    teachers: Count | None = None
    classes: Count | None = None
    classrooms: Count | None = None
    has_fibre: bool | None = None
    multimedia_classrooms: Count | None = None


class UnitCreateIn(UnitFields):
    code: Code


COLUMN_OF = {"parent": "parent_code"}


def _cell(value: Any) -> str:
    """A value as the import's cell: ``null`` and ``""`` clear (the file's ``（清空）``)."""
    if value is None or value == "":
        return CLEAR_MARKERS[0]
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _cells(body: UnitFields, *, create: bool) -> dict[str, str]:
    given = body.model_dump(exclude_unset=True)
    given.pop("code", None)
    if create:  # nothing to clear on a new unit: a null is just not given
        given = {k: v for k, v in given.items() if v is not None and v != ""}
    return {COLUMN_OF.get(key, key): _cell(value) for key, value in given.items()}


def _answer(response: HttpResponse, request: HttpRequest, code: str) -> dict:
    row = get_object_or_404(visible_units(request), code=code)
    response["ETag"] = etag_of(row)
    return unit_out(row)


@router.post("/units", response={201: UnitOut}, url_name="unit_create", tags=TAGS)
def unit_create(request: HttpRequest, response: HttpResponse, body: UnitCreateIn):
    """Create a unit under ``parent`` (a unit of the caller's subtree): ``code``, ``name`` and
    ``level`` are required, the level must fit under the parent's (a school under a county or
    a zone, ...). Refusals: 422 ``invalid_unit`` with each reason in ``details`` (the import
    page's words: code taken, parent unknown or outside the subtree, level order, ...), 403
    ``forbidden`` for an account that does not manage units (a school's). Audit: ``orgs.create``."""
    user = need(request, "units", scopes.WRITE)
    with transaction.atomic():
        try:
            cells = {"code": body.code, **_cells(body, create=True)}
            saved = unit_save(actor=user, cells=cells, request=request)
        except UnitSaveError as exc:
            raise refused(exc, code="invalid_unit") from exc
    return Status(201, _answer(response, request, saved.code))


@router.patch(
    "/units/{unit_code}",
    response=UnitOut,
    url_name="unit_update",
    openapi_extra=if_match(),
    tags=TAGS,
)
def unit_update(request: HttpRequest, response: HttpResponse, unit_code: Code, body: UnitFields):
    """Change the fields given (absent ones are kept; ``null`` or ``""`` clears one, except
    ``name``, ``parent`` and ``level``). A new ``parent`` moves the unit with its subtree
    (audited as ``orgs.move`` too). Needs ``If-Match`` (the ETag of ``GET /units/{code}``).
    Refusals: 404 outside the caller's subtree, 403 ``forbidden`` for an account that does not
    manage units, 422 ``invalid_unit`` with the import page's reasons in ``details``."""
    cells = _cells(body, create=False)
    saved = {}

    def act(row):
        saved["code"] = unit_save(actor=request.user, cells=cells, unit=row, request=request).code

    rows = visible_units(request, scopes.WRITE)
    found = get_object_or_404(rows, code=unit_code)
    write(request, rows, found.pk, act, invalid="invalid_unit")
    return _answer(response, request, saved["code"])
