"""The API speaks the caller's language: ``Accept-Language`` (zh-Hans unless English is asked
for), since a program has no language cookie. The pages keep Chinese first
(core.middleware.ChineseFirstLocaleMiddleware); this runs after it, for /api/ only, and puts the
previous language back when the response is done so nothing else in the thread inherits it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import translation

from shidian.apps.api.errors import caller_language

API_PREFIX = "/api/v1/"


class ApiLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        previous = translation.get_language()
        translation.activate(caller_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
            return response
        finally:
            if previous is None:
                translation.deactivate()
            else:
                translation.activate(previous)
