"""ETag / If-Match for updates: a write names the version it started from, or gets 412."""

from __future__ import annotations

import hashlib

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shidian.apps.api.errors import ApiError


def etag_of(obj: models.Model, stamp_field: str = "updated_at") -> str:
    stamp = getattr(obj, stamp_field)
    raw = f"{obj._meta.label}:{obj.pk}:{stamp.isoformat() if stamp else ''}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:20] + '"'


def check_if_match(request: HttpRequest, obj: models.Model) -> None:
    check_tag(request, etag_of(obj))


def check_tag(request: HttpRequest, current: str) -> None:
    """428 without If-Match, 412 unless it names ``current`` (or is ``*``): for a resource
    whose ETag is not one row's (an expert's score, which may not exist yet)."""
    sent = request.headers.get("If-Match", "").strip()
    if not sent:
        raise ApiError(
            428, "precondition_required", _("更新须带 If-Match 请求头（先读取得到的 ETag）。")
        )
    if sent != "*" and current not in [tag.strip() for tag in sent.split(",")]:
        raise ApiError(
            412, "stale", _("该对象已被他人修改，请重新读取后再更新。"), [{"etag": current}]
        )
