"""Demo history for the evaluation page: the county's first-batch pilots against twelve
comparison schools (participation state "control", the same school types), with three earlier
yearly self-assessment rounds and one in the batch's entry year, every sheet accepted.

Scores are generated: each school has its own level, everyone drifts up a little each year,
and pilots gain about eight points of the standard's maximum from their entry year, so the
page shows a visible effect, a flat pre-trend and intervals. Idempotent.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from shidian.apps.programmes.models import Participation
from shidian.apps.programmes.services.participation import participation_move
from shidian.apps.submissions.models import Round, Submission

HISTORY_YEARS = 3  # yearly rounds before the first batch enters, then its entry year
CONTROLS = 12
EFFECT = 0.08
NAME = "{year}年度自查赋分（效果评估演示）"


def sheet_values(standard: Any, fraction: float) -> dict:
    """scores / dimension_scores / total of a sheet scoring ``fraction`` of every maximum."""
    weights = standard.item_weight()
    scores, dims = {}, {}
    for dim in standard.dimensions:
        total = 0.0
        for ind in dim.indicators:
            for item in ind.items:
                value = round((item.max_score or 0.0) * fraction, 4)
                scores[item.code] = value
                total += value * weights[item.code]
        dims[dim.code] = round(total, 4)
    return {"scores": scores, "dimension_scores": dims, "total": round(sum(dims.values()), 4)}


def _controls(programme: Any, pilots: list[Participation], *, office: Any) -> list[Participation]:
    types = {p.unit.school_type for p in pilots}
    rows = Participation.objects.filter(programme=programme)  # scoping: ok demo set-up
    chosen = list(
        rows.filter(state="eligible", unit__school_type__in=types)
        .select_related("unit")
        .order_by("unit__code")[:CONTROLS]
    )
    for row in chosen:
        participation_move(
            by=office, participation=row, to="control", reason="效果评估对照学校（演示）"
        )
    return chosen


def load_demo(*, programme: Any, office: Any, seed: int = 2026) -> dict[str, int]:
    if programme is None:
        return {"rounds": 0}
    version = programme.standard_versions.order_by("-pk").first()
    parts = Participation.objects.filter(programme=programme)  # scoping: ok demo set-up
    pilots = list(parts.filter(state="pilot", batch__number=1).select_related("unit", "batch"))
    if version is None or not pilots:
        return {"rounds": 0}
    first_year = pilots[0].batch.year
    years = list(range(first_year - HISTORY_YEARS, first_year + 1))
    done = Round.objects.filter(programme=programme, name=NAME.format(year=years[0]))
    if done.exists():  # scoping: ok demo set-up
        return {"rounds": 0}
    controls = _controls(programme, pilots, office=office)
    entry = {p.unit_id: p.batch.year for p in pilots}
    units = [p.unit_id for p in pilots] + [c.unit_id for c in controls]
    rng = random.Random(seed)
    level = {u: rng.uniform(0.45, 0.6) for u in units}
    standard = version.as_standard()
    now = timezone.now()
    own = Round.objects.filter(programme=programme, kind="self_assessment")  # scoping: ok demo
    latest = {r.opens_on.year: r.opens_on for r in own.order_by("opens_on")}
    for year in years:
        # A year that already has the programme's own demo rounds (their sheets are filled by
        # other demos) gets this round a day after them: the page takes a year's latest round.
        opens = latest[year] + dt.timedelta(days=1) if year in latest else dt.date(year, 3, 1)
        made = Round.objects.create(
            kind="self_assessment",
            unit=programme.unit,
            name=NAME.format(year=year),
            version=version,
            opens_on=opens,
            deadline=timezone.make_aware(
                dt.datetime.combine(opens + dt.timedelta(days=7), dt.time(17, 0))
            ),
            invite_root=programme.scope_root,
            programme=programme,
            status="closed",
        )
        rows = []
        for unit_id in units:
            gain = EFFECT if unit_id in entry and year >= entry[unit_id] else 0.0
            fraction = level[unit_id] + 0.02 * (year - years[0]) + gain + rng.gauss(0, 0.015)
            rows.append(
                Submission(
                    round=made,
                    unit_id=unit_id,
                    status="accepted",
                    submitted_at=now,
                    **sheet_values(standard, min(1.0, max(0.0, fraction))),
                )
            )
        Submission.objects.bulk_create(rows)
    return {"rounds": len(years), "controls": len(controls)}
