"""Reads for selections: every lookup goes through core.access (404 outside what the user may
see, 403 where they see but may not act)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from shidian.apps.core.access import APPROVE, MANAGE, VIEW, can, get_scoped_or_404
from shidian.apps.selection.models import Selection


def selections_for(*, user: Any, programme: Any = None) -> QuerySet[Selection]:
    qs = Selection.objects.restrict(user, VIEW).select_related("programme", "round")
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.order_by("-created_at", "-pk")


def selection_for(*, user: Any, selection_id: int, action: str = VIEW) -> Selection:
    """The selection, or 404 when invisible to ``user`` (403 when visible but ``action`` is
    not theirs)."""
    qs = Selection.objects.select_related("programme", "programme__unit", "round", "round__version")
    return get_scoped_or_404(qs, user, action, pk=selection_id)


def manage_selection(*, user: Any, selection_id: int) -> Selection:
    return selection_for(user=user, selection_id=selection_id, action=MANAGE)


def follows(user: Any, selection: Selection) -> bool:
    """The office that runs it and the leading group that approves it follow every step; a
    zone sees only its recommendation step, an expert only their assignments."""
    return can(user, MANAGE, selection) or can(user, APPROVE, selection)


def followed_selection(*, user: Any, selection_id: int) -> Selection:
    """The selection for a step page that shows county-wide results (rankings, scores,
    batches, controls): 404 for anyone who does not follow it (a zone with a quota sees the
    selection, but not the others' results)."""
    selection = selection_for(user=user, selection_id=selection_id)
    if not follows(user, selection):
        raise Http404
    return selection
