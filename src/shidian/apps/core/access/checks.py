"""The checks views and services call: ``can``, ``require``, ``get_scoped_or_404``, ``may``.

``can`` asks the database the same question ``restrict`` answers for a list, so a page that
lists rows and a service that acts on one can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse

from shidian.apps.core.access.actions import GRANT_ACTIONS, VIEW, subtree_actions
from shidian.apps.core.access.policy import held_grants, restrict_queryset

M = TypeVar("M", bound=models.Model)


def can(user: Any, action: str, obj: models.Model) -> bool:
    """May ``user`` take ``action`` on the saved object ``obj``?"""
    if obj.pk is None:
        raise ValueError("can() needs a saved object; check the parent it will belong to")
    if getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser:
        return True
    qs = type(obj)._default_manager.all()
    return restrict_queryset(qs, user, action).filter(pk=obj.pk).exists()


def require(user: Any, action: str, obj: models.Model) -> None:
    """Raise PermissionDenied unless ``user`` may ``action`` on ``obj``; ``None`` is the system."""
    if user is None:
        return
    if not can(user, action, obj):
        raise PermissionDenied


def may(user: Any, action: str) -> bool:
    """May ``user`` take ``action`` on anything at all (for pages without an object)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if action in subtree_actions(user) and user.unit_id is not None:
        return True
    return any(action in GRANT_ACTIONS.get(g.role, ()) for g in held_grants(user))


def get_scoped_or_404(
    model_or_qs: type[M] | models.QuerySet, user: Any, action: str = VIEW, **lookup: Any
) -> M:
    """One object ``user`` may see: 404 when missing or invisible, 403 when visible but the
    action is not allowed (the person already knows the object exists)."""
    qs = model_or_qs._default_manager.all() if isinstance(model_or_qs, type) else model_or_qs
    if not hasattr(qs, "restrict"):
        raise TypeError(f"{qs.model.__name__} is not a scoped model")
    try:
        obj = qs.restrict(user, VIEW).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if action != VIEW and not can(user, action, obj):
        raise PermissionDenied
    return obj


def action_required(action: str) -> Callable[[Callable[..., HttpResponse]], Callable]:
    """Log in first; then a styled 403 unless the user may ``action`` somewhere.

    For pages without an object in the URL (lists, create forms). Views with an object look it
    up with ``get_scoped_or_404`` (404 outside the subtree) and check the action on it.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not kwargs and not may(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
