"""Worlds of the later lifecycle for the API tests: the acceptance factories' scored round,
confirmed by county A's leading group as the system proposed."""

from __future__ import annotations

import datetime as dt


def confirmed_round(tree):
    from django.utils import timezone

    from shidian.apps.acceptance import selectors, services
    from shidian.apps.acceptance.models import Status
    from tests.acceptance.factories import leader, scored_round

    acceptance = scored_round(tree)
    if acceptance.status != Status.CONFIRMED:
        decisions = {r.unit.pk: (r.proposed, "") for r in selectors.pilot_rows(acceptance)}
        services.acceptance_confirm(
            by=leader(tree),
            acceptance=acceptance,
            decisions=decisions,
            due_on=timezone.localdate() + dt.timedelta(days=60),
        )
        acceptance.refresh_from_db()
    return acceptance
