"""Who may do what in indicators (core.access policies).

Indicators compare units, so only the roles that look across units reach them: the office and
the leading group of a unit (manage on their own unit's indicators), and a zone, which sees the
indicators of the units above it computed over its own subtree. A school's coordinator, a
community lead and an expert see none (the pages answer 403; an object lookup 404). Grants on a
programme (office members) reach the programme's indicators.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.core.access import VIEW, Policy, register
from shidian.apps.core.access.policy import NOTHING

ANALYST_ROLES = frozenset({"office", "leading_group", "zone"})
PROGRAMME = "programmes.programme"


def is_analyst(user: Any) -> bool:
    """May this person look at figures across units at all?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or (user.role in ANALYST_ROLES and user.unit_id is not None)


def from_above(user: Any, action: str, prefix: str) -> Q | None:
    """An analyst views the indicators of the units above theirs (computed over their subtree)."""
    if action != VIEW or not is_analyst(user) or user.unit_id is None:
        return None
    from shidian.apps.orgs.paths import ancestor_paths

    return Q(**{f"{prefix}unit__path__in": ancestor_paths(user.unit.path)})


def analysts_only(user: Any, action: str, prefix: str) -> Q | None:
    return None if is_analyst(user) else NOTHING


INDICATOR = Policy(
    unit="unit",
    owner="unit",
    targets=(("programme", PROGRAMME),),
    extra=from_above,
    limit=analysts_only,
)


def register_all() -> None:
    from shidian.apps.indicators.models import Indicator

    register(Indicator, INDICATOR)
