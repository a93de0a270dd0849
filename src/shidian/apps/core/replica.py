"""Dashboard reads on a read replica (the nation's deploy step, docs/deploy.md section 3).

A read goes to the ``replica`` database alias only inside an explicit scope: a GET dashboard
view decorated with :func:`replica_reads`. Everything else (writes, migrations, every other
page, the worker, management commands) uses ``default``. Without ``DATABASE_REPLICA_URL`` the
alias does not exist and the decorator only calls the view.

Two guards keep a replica from showing wrong or broken pages:

- read-your-writes: :class:`RecentWriteMiddleware` marks a browser that made a non-safe request
  with a short-lived cookie; while it lives (``REPLICA_AFTER_WRITE_SECONDS``) that browser's
  dashboards read the primary, so a school that just saved sees its save however far the
  standby lags;
- outage: a replica that cannot be reached (or fails mid-page) is skipped, with a warning in
  the log, and the page is served from the primary; the replica is tried again after
  ``REPLICA_RETRY_SECONDS``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
WROTE_COOKIE = "shidian_wrote"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

logger = logging.getLogger(__name__)
_reading: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_reading", default=False)
_down_until = 0.0  # per process: when to try an unreachable replica again


class ReplicaRouter:
    """Reads to the replica only inside a :func:`replica_reads` scope; nothing else, ever."""

    def db_for_read(self, model, **hints) -> str:
        # Outside the scope, say "default" outright: returning None would let Django follow an
        # instance's own database, so an object read on the replica would drag later reads there.
        return REPLICA if _reading.get() else "default"

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same rows on both aliases

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        return db != REPLICA


@contextlib.contextmanager
def replica_scope() -> Iterator[None]:
    """Inside: the router sends reads to the replica (the decorator decides when to enter)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def configured() -> bool:
    return REPLICA in connections.settings


def recently_wrote(request: HttpRequest) -> bool:
    try:
        wrote_at = float(request.COOKIES.get(WROTE_COOKIE, ""))
    except ValueError:
        return False
    return time.time() - wrote_at < settings.REPLICA_AFTER_WRITE_SECONDS


def _mark_down(exc: Exception) -> None:
    global _down_until
    _down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
    logger.warning("read replica unavailable, reading the primary: %s", exc)
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()


def replica_usable() -> bool:
    """Connect (or reuse the persistent connection); False, and a warning, when it fails."""
    if time.monotonic() < _down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError as exc:  # OperationalError and friends: refused, timeout, auth
        _mark_down(exc)
        return False
    return True


def use_replica(request: HttpRequest) -> bool:
    return (
        request.method in SAFE_METHODS
        and configured()
        and not recently_wrote(request)
        and replica_usable()
    )


def replica_reads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a read-only GET page's queries from the replica when one is usable."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # The session and user are read first, on the primary: a session created by a login
        # a moment ago may not have reached the standby yet.
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018 - evaluates the lazy user
        if not use_replica(request):
            return view(request, *args, **kwargs)
        try:
            with replica_scope():
                response = view(request, *args, **kwargs)
                if callable(getattr(response, "render", None)) and not response.is_rendered:
                    response.render()  # a TemplateResponse's queries run inside the scope too
                return response
        except (OperationalError, InterfaceError) as exc:
            # A standby gone mid-page (or a query cancelled by a recovery conflict): a GET page
            # changes nothing, so running it again on the primary is safe.
            _mark_down(exc)
        return view(request, *args, **kwargs)

    return wrapper


class RecentWriteMiddleware:
    """After a non-safe request, keep this browser's reads on the primary for a few seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and configured():
            response.set_cookie(
                WROTE_COOKIE,
                f"{time.time():.3f}",
                max_age=max(1, int(settings.REPLICA_AFTER_WRITE_SECONDS)),
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
