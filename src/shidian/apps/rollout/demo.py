"""Demo data: a roll-out plan in draft for the next batch: the remaining candidates nearest to
the passed pilots, picked and paired with them (辐射带动) through the services the page uses,
so the office finds a plan ready to adjust and submit. Idempotent: a second run finds the plan.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

NAME = "下一批试点推广计划（辐射带动）"
SCHOOLS = 6
MAX_KM = 30.0
MAX_LOAD = 2


def _nearest(candidates: list[Any], leads: list[Any], n: int) -> list[Any]:
    """The ``n`` candidates closest to a lead (the page's picking is by rank; the demo wants
    schools the pairing can reach)."""
    import numpy as np

    from shidian.engine.assignment.nearest import distances_km

    placed = [c for c in candidates if None not in (c.unit.latitude, c.unit.longitude)]
    if not placed or not leads:
        return []
    d = distances_km(
        np.array([[c.unit.latitude, c.unit.longitude] for c in placed]),
        np.array([[u.latitude, u.longitude] for u in leads]),
    ).min(axis=1)
    order = np.argsort(d, kind="stable")
    return [placed[i] for i in order[:n] if d[i] <= MAX_KM]


@transaction.atomic
def load_demo(*, programme: Any, office: Any, password: str = "") -> dict[str, Any]:
    """``password`` is accepted for the demo loaders' common signature; no accounts are added."""
    from shidian.apps.rollout import selectors, services
    from shidian.apps.rollout.models import RolloutPlan
    from shidian.apps.rollout.pairing import plan_pair

    if programme is None:
        return {"plan": None, "created": False}
    found = RolloutPlan.objects.filter(programme=programme, name=NAME).first()  # scoping: ok
    if found is not None:
        return {"plan": found, "created": False}
    leads = [u for u in selectors.possible_leads(programme) if u.latitude is not None]
    picked = _nearest(selectors.remaining_candidates(programme), leads, SCHOOLS)
    if not picked:
        return {"plan": None, "created": False}
    plan = services.plan_create(
        by=office,
        programme=programme,
        name=NAME,
        year=timezone.localdate().year + 1,
        max_km=MAX_KM,
        max_load=MAX_LOAD,
    )
    services.plan_pick(by=office, plan=plan, unit_ids=[c.unit.pk for c in picked])
    try:
        plan_pair(by=office, plan=plan)
    except ValidationError:  # crowded around one pilot: every one of them may lead them all
        plan_pair(by=office, plan=plan, max_load=len(picked))
    plan.refresh_from_db()
    return {"plan": plan, "created": True}
