"""An evaluation world: the tracking world (tests/tracking_world.py) with a staggered design and
four years of self-assessment scores.

- batch 1 (2026): A1-1..A1-4; batch 2 (2027): A1-5, A1-6 (moved from batch 1);
- comparison units: A1-7, A1-8 (participation state "control") and four more schools
  A1-9..A1-12 matched to pilots in a Selection (ControlPair);
- rounds (self-assessment, the programme's): 2024, 2025, 2026, 2027, every sheet submitted.
  Each item scores ``fraction`` of its maximum, fraction = 0.4 + a unit level + 0.03 per year +
  EFFECT after the unit's entry + a small fixed wobble, so the pilots gain about EFFECT of the
  standard's maximum after entry.

``build_rounds`` is shared with bench/evaluation_page_bench.py (bulk rows, no services).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from tests.standards.factories import published_version
from tests.tracking_world import pilot_world

YEARS = (2024, 2025, 2026, 2027)
EFFECT = 0.15


@dataclass
class EvaluationWorld:
    programme: object
    office: object
    pilots: list
    batch2: list
    controls: list  # all comparison units
    rounds: list


def sheet_values(standard, fraction: float) -> dict:
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


def build_rounds(*, programme, unit, version, years, fractions) -> list:
    """One submitted self-assessment round per year of ``programme``; ``fractions(unit_id,
    year)`` gives each sheet's fraction (None: no sheet for that unit and year)."""
    from shidian.apps.submissions.models import Round, Submission

    standard = version.as_standard()
    now = timezone.now()
    rounds = []
    for year in years:
        r = Round.objects.create(
            kind="self_assessment",
            unit=unit,
            name=f"{year}年度自查赋分",
            version=version,
            opens_on=dt.date(year, 3, 1),
            deadline=timezone.make_aware(dt.datetime(year, 4, 1, 17, 0)),
            invite_root=unit,
            programme=programme,
            status="closed",
        )
        rows = []
        for unit_id, fraction in fractions(year):
            if fraction is None:
                continue
            rows.append(
                Submission(
                    round=r,
                    unit_id=unit_id,
                    status="submitted",
                    submitted_at=now,
                    **sheet_values(standard, fraction),
                )
            )
        Submission.objects.bulk_create(rows, batch_size=1000)
        rounds.append(r)
    return rounds


def evaluation_world(tree, *, years=YEARS, effect=EFFECT) -> EvaluationWorld:
    from shidian.apps.orgs.models import Level, SchoolType
    from shidian.apps.orgs.services import unit_create
    from shidian.apps.programmes.models import Participation
    from shidian.apps.selection.models import ControlPair, Selection
    from shidian.apps.submissions.models import Round

    w = pilot_world(tree)
    programme = w.programme
    existing = list(
        Round.objects.filter(programme=programme, name__endswith="年度自查赋分")  # scoping: ok
    )
    batch2_units = w.pilots[4:]
    parts = Participation.objects.filter(programme=programme)  # scoping: ok test
    if not existing:
        batch2 = programme.cycles.get(number=2)
        parts.filter(unit__in=batch2_units).update(batch=batch2)
        extra = []
        for i in range(9, 13):
            school = unit_create(
                code=f"A1-{i}",
                name=f"甲县第{i}学校",
                level=Level.SCHOOL,
                parent=tree.zone,
                zone=tree.zone,
                school_type=SchoolType.PRIMARY,
            )
            Participation.objects.create(programme=programme, unit=school, state="eligible")
            extra.append(school)
        version = published_version(tree.county)
        units = [*w.pilots, *w.controls, *extra]
        entry = {u.pk: (2026 if u in w.pilots[:4] else 2027) for u in w.pilots}
        level = {u.pk: 0.05 * (i % 4) for i, u in enumerate(units)}

        def fractions(year):
            for i, u in enumerate(units):
                wobble = 0.01 * ((i * 7 + year) % 3)
                gain = effect if u.pk in entry and year >= entry[u.pk] else 0.0
                yield u.pk, min(1.0, 0.4 + level[u.pk] + 0.03 * (year - 2024) + gain + wobble)

        existing = build_rounds(
            programme=programme, unit=tree.county, version=version, years=years,
            fractions=fractions,
        )  # fmt: skip
        selection = Selection.objects.create(
            programme=programme, round=existing[0], name="评估用遴选"
        )
        for pilot, control in zip(w.pilots, extra, strict=False):
            ControlPair.objects.create(selection=selection, pilot=pilot, control=control)
    from shidian.apps.orgs.models import OrgUnit

    extra = list(OrgUnit.objects.filter(code__in=[f"A1-{i}" for i in range(9, 13)]))  # scoping: ok
    return EvaluationWorld(
        programme=programme,
        office=w.office,
        pilots=w.pilots,
        batch2=batch2_units,
        controls=[*w.controls, *extra],
        rounds=sorted(existing, key=lambda r: r.opens_on),
    )
