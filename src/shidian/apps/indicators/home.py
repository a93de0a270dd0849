"""The office home's indicators card: links to the pages, for the people who may read them."""

from __future__ import annotations

from typing import Any


def indicators_card(user: Any) -> dict[str, Any] | None:
    from shidian.apps.core.access import VIEW
    from shidian.apps.indicators.models import Indicator
    from shidian.apps.indicators.policies import is_analyst

    if not is_analyst(user) or user.unit_id is None:
        return None
    return {"count": Indicator.objects.restrict(user, VIEW).count()}
