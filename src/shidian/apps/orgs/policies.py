"""Who may see and change organisation units."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from shidian.apps.core.access import VIEW, Policy, register
from shidian.apps.orgs.models import ImportBatch, OrgUnit


def own_unit(user: Any, action: str, prefix: str) -> Q | None:
    """Everyone may read their own unit (an expert has no subtree, but has a unit)."""
    if action != VIEW or user.unit_id is None:
        return None
    return Q(**{f"{prefix}pk": user.unit_id})


register(OrgUnit, Policy(unit="", extra=own_unit))
register(ImportBatch, Policy(unit="unit"))
