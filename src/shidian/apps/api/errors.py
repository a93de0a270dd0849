"""One error body for every refusal: ``{"code": ..., "message": ..., "details": [...]}``.

The message is in the caller's language, which api.middleware activates from
``Accept-Language`` for every API request.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: list | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []


def caller_language(request: HttpRequest) -> str:
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    supported = {code for code, _name in settings.LANGUAGES}
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en") and "en" in supported:
            return "en"
        if tag.startswith("zh"):
            return settings.LANGUAGE_CODE
    return settings.LANGUAGE_CODE


def body(api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, details=None):
    payload: dict[str, Any] = {"code": code, "message": str(message)}
    if details:
        payload["details"] = details
    return api.create_response(request, payload, status=status)


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every refusal into the one error body."""

    def handler(status: int, code: str, message_of):
        def handle(request: HttpRequest, exc: Exception) -> HttpResponse:
            return body(api, request, status, code, message_of(exc))

        return handle

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return body(api, request, exc.status, exc.code, exc.message, exc.details)

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        details = [
            {"loc": [str(p) for p in e.get("loc", [])], "message": e.get("msg", "")}
            for e in exc.errors
        ]
        return body(api, request, 422, "invalid", _("请求的数据不正确。"), details)

    @api.exception_handler(DjangoValidationError)
    def refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        details = [{"message": str(m)} for m in exc.messages]
        return body(api, request, 422, "refused", " ".join(exc.messages), details)

    api.exception_handler(AuthenticationError)(
        handler(401, "unauthenticated", lambda e: _("缺少有效的访问令牌，或令牌已过期、已吊销。"))
    )
    api.exception_handler(PermissionDenied)(
        handler(403, "forbidden", lambda e: _("您无权进行此操作。"))
    )
    api.exception_handler(Http404)(handler(404, "not_found", lambda e: _("找不到该对象。")))

    # A value the database cannot store (schemas bound what they can; this is the net for the
    # rest): the caller's data, so 422, not a server error.
    api.exception_handler(DataError)(handler(422, "invalid", lambda e: _("请求的数据不正确。")))

    # Django's own refusal of a body over DATA_UPLOAD_MAX_MEMORY_SIZE would be an HTML page.
    api.exception_handler(RequestDataTooBig)(
        handler(413, "too_large", lambda e: _("请求的内容太大。"))
    )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return body(api, request, exc.status_code, "http_error", str(exc))
