"""Request middleware: Chinese first (zh-Hans unless the user chose English), no caching of
what a logged-in user sees."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but the browser's Accept-Language does not override the
    default: bureau staff often use English-language browsers and still expect Chinese. The
    language cookie set by the switch on every page is the only way to change it.

    The language is active for this request only: once the response is made the thread's
    previous language is put back (Django's LocaleMiddleware leaves it active), so what runs
    next in the thread without a request of its own (a task, the next test) does not inherit
    an English visitor's language."""

    # The restore below wraps a synchronous call; Django adapts the middleware under ASGI.
    async_capable = False

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        previous = translation.get_language()
        try:
            return super().__call__(request)
        finally:
            if previous is None:
                translation.deactivate_all()
            else:
                translation.activate(previous)

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class NoStoreForUsersMiddleware:
    """``Cache-Control: no-store`` on every response to a logged-in user.

    Pages and downloads behind the login hold a school's data; without this a shared computer's
    browser cache, the back button after logging out, or a proxy on the way could show them to
    the next person. Static files are served before this middleware (WhiteNoise) and keep their
    long cache; a view that marked its response ``public`` keeps its own header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if _logged_in(request) and not request.path.startswith(_static_prefix()):
            header = response.get("Cache-Control", "")
            directives = {d.strip().split("=")[0].lower() for d in header.split(",")}
            if "public" not in directives:
                if "no-store" not in directives:
                    response["Cache-Control"] = "no-store"
                response["Pragma"] = "no-cache"
        return response


def _static_prefix() -> str:
    return "/" + settings.STATIC_URL.lstrip("/")


def _logged_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None:
        return False
    try:
        return bool(user.is_authenticated)
    except DatabaseError:
        # The session could not be read (the database is down): keep the response out of caches.
        return True
