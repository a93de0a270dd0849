"""Reads of roll-out plans: the plan, the remaining ranked candidates and the possible leads.

Remaining candidates are the programme's units not yet piloted (participation eligible,
recommended, shortlisted or control), in the order of the latest selection's ranking (the
adopted reconciliation's, else the shortlist's); units that ranking does not hold follow,
unranked, by code. Possible leads are the passed pilots (accepted or conditionally accepted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from shidian.apps.core.access import VIEW, get_scoped_or_404
from shidian.apps.rollout.models import RolloutPlan

REMAINING = ("eligible", "recommended", "shortlisted", "control")
LEADS = ("accepted", "conditional")


@dataclass
class Candidate:
    unit: Any
    state: str
    rank: int | None
    score: float | None


def plans_for(*, user: Any, programme: Any) -> QuerySet[RolloutPlan]:
    return RolloutPlan.objects.restrict(user, VIEW).filter(programme=programme)


def plan_for(*, user: Any, rollout_id: int, action: str = VIEW) -> RolloutPlan:
    qs = RolloutPlan.objects.select_related("programme__unit", "cycle")
    return get_scoped_or_404(qs, user, action=action, pk=rollout_id)


def ranking_selection(programme: Any) -> Any:
    """The latest selection of the programme that has a ranking, or None."""
    from django.db.models import Q

    from shidian.apps.selection.models import Selection

    ranked = Selection.objects.filter(  # scoping: ok the programme the caller holds
        programme=programme
    ).filter(Q(reconciliation__isnull=False) | Q(shortlist__isnull=False))
    return ranked.order_by("-created_at", "-pk").first()


def remaining_candidates(programme: Any) -> list[Candidate]:
    from shidian.apps.programmes.models import Participation
    from shidian.apps.selection.services.batches import ranking_of

    rows = Participation.objects.filter(  # scoping: ok the programme the caller holds
        programme=programme, state__in=REMAINING
    ).select_related("unit", "unit__zone")
    by_unit = {p.unit_id: p for p in rows}
    selection = ranking_selection(programme)
    ranking = ranking_of(selection)[1] if selection is not None else []
    found: list[Candidate] = []
    rank = 0
    for row in ranking:
        p = by_unit.pop(row["unit_id"], None)
        if p is not None:
            rank += 1
            found.append(Candidate(p.unit, p.state, rank, row.get("score")))
    for p in sorted(by_unit.values(), key=lambda p: p.unit.code):
        found.append(Candidate(p.unit, p.state, None, None))
    return found


def possible_leads(programme: Any):
    """The passed pilots, by code."""
    from shidian.apps.orgs.models import OrgUnit
    from shidian.apps.programmes.models import Participation

    passed = Participation.objects.filter(  # scoping: ok the programme the caller holds
        programme=programme, state__in=LEADS
    ).values("unit_id")
    return OrgUnit.objects.filter(pk__in=passed).order_by("code")  # scoping: ok see above


def earlier_loads(plan: Any) -> dict[int, int]:
    """How many schools each pilot already leads in the programme's approved plans (other
    than ``plan``): those places count against the pilot's load in ``plan`` too."""
    from django.db.models import Count

    from shidian.apps.rollout.models import PlanStatus, RolloutSchool

    rows = (
        RolloutSchool.objects.filter(  # scoping: ok the programme the caller holds
            plan__programme_id=plan.programme_id,
            plan__status=PlanStatus.APPROVED,
            lead__isnull=False,
        )
        .exclude(plan_id=plan.pk)
        .values("lead_id")
        .annotate(n=Count("pk"))
    )
    return {r["lead_id"]: r["n"] for r in rows}
