"""Limit/offset pages with the total, the same shape on every list."""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import StringConstraints

MAX_LIMIT = 500
# A filter value: bounded, and without NUL, which PostgreSQL refuses in text (a 500 otherwise).
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
# Far beyond any list here, and inside every database's integer range.
MAX_OFFSET = 10**9


class PageParams(Schema):
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def page(request: HttpRequest, rows: QuerySet, params: PageParams, serialise) -> dict[str, Any]:
    limit = max(1, min(params.limit, MAX_LIMIT))
    offset = max(0, params.offset)
    count = rows.count()
    items = [serialise(row) for row in rows[offset : offset + limit]]
    return {"count": count, "limit": limit, "offset": offset, "items": items}
