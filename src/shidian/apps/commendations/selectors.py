"""Reads of commendations, always through core.access."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from shidian.apps.commendations.models import Commendation, Nomination
from shidian.apps.core.access import VIEW, get_scoped_or_404


def commendations_for(*, user: Any, programme: Any) -> QuerySet[Commendation]:
    return Commendation.objects.restrict(user, VIEW).filter(programme=programme)


def commendation_for(*, user: Any, commendation_id: int, action: str = VIEW) -> Commendation:
    qs = Commendation.objects.select_related("programme__unit", "notice")
    return get_scoped_or_404(qs, user, action=action, pk=commendation_id)


def nomination_for(*, user: Any, nomination_id: int, action: str = VIEW) -> Nomination:
    qs = Nomination.objects.select_related("commendation__programme__unit", "unit")
    return get_scoped_or_404(qs, user, action=action, pk=nomination_id)


def nominations_for(*, user: Any, commendation: Commendation) -> QuerySet[Nomination]:
    """The nominations ``user`` sees: the whole list for the office and the leading group, its
    own proposals for a lower office."""
    return (
        Nomination.objects.restrict(user, VIEW)
        .filter(commendation=commendation)
        .select_related("unit", "proposed_by_unit")
    )


def nomination_units(*, user: Any, programme: Any):
    """Units a nomination may name: the programme's participants that ``user`` sees."""
    from shidian.apps.orgs.models import OrgUnit
    from shidian.apps.programmes.models import Participation

    taking_part = Participation.objects.filter(programme=programme).values(  # scoping: ok below
        "unit_id"
    )
    return OrgUnit.objects.restrict(user, VIEW).filter(pk__in=taking_part)
