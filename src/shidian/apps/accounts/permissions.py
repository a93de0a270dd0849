"""Who may manage accounts: programme office and leading group staff, and superusers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from shidian.apps.accounts.models import Role
from shidian.apps.orgs.models import Level

# The levels a role's unit may have (None: any level). A coordinator belongs to a school, a zone
# account to a zone, the office and the leading group to an authority above schools.
ROLE_LEVELS: dict[str, set[str] | None] = {
    Role.LEADING_GROUP: {Level.PROVINCE, Level.CITY, Level.COUNTY},
    Role.OFFICE: {Level.PROVINCE, Level.CITY, Level.COUNTY},
    Role.EXPERT: None,
    Role.ZONE: {Level.ZONE},
    Role.COORDINATOR: {Level.SCHOOL},
    Role.COMMUNITY_LEAD: {Level.SCHOOL},
}


def can_manage_accounts(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or (user.is_office and user.unit_id is not None))
    )


def role_fits_level(role: str, level: str) -> bool:
    allowed = ROLE_LEVELS.get(role)
    return allowed is None or level in allowed


def office_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then 403 for roles that may not manage accounts.

    Views with an object in the URL look the object up (404 outside the subtree) *before*
    calling :func:`ensure_can_manage`, so an outsider learns nothing from the status code.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not kwargs:
            ensure_can_manage(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def ensure_can_manage(user: Any) -> None:
    if not can_manage_accounts(user):
        raise PermissionDenied
