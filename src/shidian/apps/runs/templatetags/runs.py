"""``{% run_card run %}``: the one way a page shows a run (runs/_run.html)."""

from __future__ import annotations

from typing import Any

from django import template

from shidian.apps.runs.presenters import card

register = template.Library()


@register.inclusion_tag("runs/_run.html", takes_context=True)
def run_card(context: Any, run: Any, reload: bool = False) -> dict[str, Any]:
    """The run's card; ``reload=True`` reloads the page once the run ends (so the page shows
    what the run made)."""
    request = context.get("request")
    next_url = request.get_full_path() if request is not None else ""
    user = getattr(request, "user", None)
    return {
        "card": card(run, user=user, reload=reload, next_url=next_url),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
