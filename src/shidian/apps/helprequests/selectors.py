"""Which expert accounts a router may choose for a request."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

SEGMENT = 5


def experts_for(request: Any):
    """Active expert accounts of the community's owner unit: in its subtree or above it (a
    city's expert may help a county's community). The lead school cannot list users itself, so
    this is the system's list, shown only to those who may route."""
    from shidian.apps.accounts.models import User

    owner = request.community.owner_unit
    path = owner.path
    above = [path[:i] for i in range(SEGMENT, len(path) + 1, SEGMENT)]
    return (
        User.objects.filter(role="expert", is_active=True)  # scoping: ok router's list
        .filter(Q(unit__path__startswith=path) | Q(unit__path__in=above))
        .order_by("full_name", "username")
    )
