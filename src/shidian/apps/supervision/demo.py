"""Demo data: batch 1's league tables of the last two full months, computed and published (so
the 督办 list and a school's page have a record). Works with whatever plans and reports data
exist; while the plans or reports contracts are not implemented yet it skips and says so.
Idempotent: a published month is left as it is.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shidian.apps.supervision import months
from shidian.apps.supervision.models import LeagueTable


def demo_months(programme: Any, today: Any) -> list[str]:
    """The two full months before ``today``, oldest first, inside the programme's years."""
    last = months.previous(months.of(today))
    found = [months.previous(last), last]
    return [m for m in found if programme.start_year <= int(m[:4]) <= programme.end_year]


def load_demo(*, programme: Any, office: Any, password: str = "") -> dict[str, Any]:
    """``password`` is unused (the demo accounts exist already); kept for the common signature."""
    from shidian.apps.supervision.services import league_compute, league_publish

    cycle = programme.cycles.filter(number=1).first()
    if cycle is None:
        return {"tables": [], "skipped": "the programme has no batch 1"}
    made = []
    for month in demo_months(programme, timezone.localdate()):
        table = LeagueTable.objects.filter(  # scoping: ok demo
            programme=programme, cycle=cycle, month=month
        ).first()
        if table is not None and table.published:
            made.append(table)
            continue
        try:
            with transaction.atomic():
                table = league_compute(programme=programme, cycle=cycle, month=month, by=office)
                league_publish(table=table, by=office)
        except NotImplementedError as exc:
            return {"tables": made, "skipped": f"league tables need {exc}"}
        except ValidationError as exc:
            return {"tables": made, "skipped": "; ".join(exc.messages)}
        made.append(table)
    return {"tables": made, "skipped": ""}
