"""Limit/offset pages with the total, the same shape on every list."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema

MAX_LIMIT = 500


class PageParams(Schema):
    limit: int = 100
    offset: int = 0


def page(request: HttpRequest, rows: QuerySet, params: PageParams, serialise) -> dict[str, Any]:
    limit = max(1, min(params.limit, MAX_LIMIT))
    offset = max(0, params.offset)
    count = rows.count()
    items = [serialise(row) for row in rows[offset : offset + limit]]
    return {"count": count, "limit": limit, "offset": offset, "items": items}
