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


# --- the other outcome sources (periodic reports, mid-term and acceptance reviewed scores) ---

SEMESTERS = ((3, 1, 7, 10, "S1"), (9, 1, 12, 31, "S2"))  # start month/day, end month/day, key


def report_level(i: int, year: int, semester: int, treated: bool, effect: float) -> float:
    """The report value ("hours") of the i-th unit: a level, a trend, a semester step, a gain."""
    wobble = 0.2 * ((i * 7 + year + semester) % 3)
    gain = effect if treated else 0.0
    return 20.0 + 2.0 * (i % 4) + 1.5 * (year - 2024) + 0.5 * semester + wobble + gain


def report_form(world, *, years=YEARS, effect=6.0, audience="pilots_controls", units=None):
    """A semester form of the programme (fields: hours, number; rate, percent; note, text), its
    periods (two a year) with their rounds, and one submitted report per unit and period, plus:
    A1-1's first-period report returned (its value 999 must not count) and A1-2 answering
    "not applicable" in the second period of the first year. Returns (form, fields, periods)."""
    from shidian.apps.reports.models import ReportField, ReportForm, ReportPeriod, ReportValue
    from shidian.apps.submissions.models import Round, Submission

    programme = world.programme
    form = ReportForm.objects.create(
        programme=programme,
        name="学期报表",
        period_type="semester",
        audience=audience,
        starts_on=dt.date(years[0], 3, 1),
        ends_on=dt.date(years[-1], 12, 31),
        status="published",
    )
    fields = {
        "hours": ReportField.objects.create(
            form=form, code="hours", label="信息化课时", type="number", unit_label="节",
            allow_na=True, order=1,
        ),
        "rate": ReportField.objects.create(
            form=form, code="rate", label="平台使用率", type="percent", order=2
        ),
        "note": ReportField.objects.create(
            form=form, code="note", label="说明", type="text", required=False, order=3
        ),
    }  # fmt: skip
    units = units if units is not None else [*world.pilots, *world.controls]
    entry = {u.pk: (2027 if u in world.batch2 else 2026) for u in world.pilots}
    now = timezone.now()
    periods, values = [], []
    for year in years:
        for s, (m1, d1, m2, d2, key) in enumerate(SEMESTERS):
            start, end = dt.date(year, m1, d1), dt.date(year, m2, d2)
            rnd = Round.objects.create(
                kind="periodic_report",
                unit=programme.unit,
                name=f"学期报表 {year}-{key}",
                opens_on=start,
                deadline=timezone.make_aware(dt.datetime.combine(end, dt.time(23, 0))),
                programme=programme,
            )
            period = ReportPeriod.objects.create(
                form=form, key=f"{year}-{key}", label=f"{year}年第{s + 1}学期", starts_on=start,
                ends_on=end, due_on=end, closes_on=end, round=rnd,
            )  # fmt: skip
            periods.append(period)
            for i, u in enumerate(units):
                returned = u.code == "A1-1" and len(periods) == 1
                sub = Submission.objects.create(
                    round=rnd, unit=u, status="returned" if returned else "submitted",
                    submitted_at=now,
                )  # fmt: skip
                treated = u.pk in entry and year >= entry[u.pk]
                hours = 999.0 if returned else report_level(i, year, s, treated, effect)
                na = u.code == "A1-2" and len(periods) == 2
                values += [
                    ReportValue(period=period, field=fields["hours"], unit=u, submission=sub,
                                number=None if na else hours, na=na),
                    ReportValue(period=period, field=fields["rate"], unit=u, submission=sub,
                                number=50.0),
                    ReportValue(period=period, field=fields["note"], unit=u, submission=sub,
                                text="好"),
                ]  # fmt: skip
    ReportValue.objects.bulk_create(values, batch_size=1000)
    return form, fields, periods


def expert(username, unit):
    from shidian.apps.accounts.models import User
    from tests.conftest import make_user

    found = User.objects.filter(username=username).first()  # scoping: ok test
    return found or make_user(username, unit, "expert")


def review_sheets(sheets, score, unit, *, experts=("ev-expert-1", "ev-expert-2"), spread=4.0):
    """Two reviews per sheet: score(sheet) - spread/2 and + spread/2 (mean: score(sheet))."""
    from shidian.apps.reviews.models import Review

    people = [expert(name, unit) for name in experts]
    Review.objects.bulk_create(
        [
            Review(submission=s, reviewer=p, total=score(s) + (k - 0.5) * spread)
            for s in sheets
            for k, p in enumerate(people)
        ]
    )


def midterm_round(world, tree, *, year, units, score, released=True, scorer="experts", cycle=1):
    """A mid-term round of the programme's batch ``cycle`` (its campaign opens on 1 June of
    ``year``): submitted sheets of ``units``, reviewed by two experts (mean ``score(unit)``)."""
    from shidian.apps.midterm.models import MidtermRound
    from shidian.apps.submissions.models import Round, Submission

    version = published_version(tree.county)
    standard = version.as_standard()
    campaign = Round.objects.create(
        kind="self_assessment",
        unit=tree.county,
        name=f"{year}年中期初评自查",
        version=version,
        opens_on=dt.date(year, 6, 1),
        deadline=timezone.make_aware(dt.datetime(year, 6, 30, 17, 0)),
        invite_root=tree.county,
        programme=world.programme,
        status="closed",
        reviews_released_at=timezone.now() if released else None,
    )
    sheets = [
        Submission.objects.create(
            round=campaign,
            unit=u,
            status="submitted",
            submitted_at=timezone.now(),
            **sheet_values(standard, 0.5),
        )  # fmt: skip
        for u in units
    ]
    review_sheets(sheets, lambda s: score(s.unit), tree.city)
    return MidtermRound.objects.create(
        programme=world.programme,
        cycle=world.programme.cycles.get(number=cycle),
        campaign=campaign,
        name=f"{year}年中期初评",
        scorer=scorer,
    )


def acceptance_round(world, tree, *, year, units, score, cycle=1, released=False):
    """An acceptance round of batch ``cycle`` (1 October of ``year``): a submitted report of each
    of ``units`` reviewed by two experts (mean ``score(unit)``); reviews blind unless released."""
    from shidian.apps.acceptance.models import AcceptanceRound
    from shidian.apps.submissions.models import Round, Submission

    rnd = Round.objects.create(
        kind="acceptance_report",
        unit=tree.county,
        name=f"{year}年验收",
        opens_on=dt.date(year, 10, 1),
        deadline=timezone.make_aware(dt.datetime(year, 10, 31, 17, 0)),
        invite_root=tree.county,
        programme=world.programme,
        reviews_released_at=timezone.now() if released else None,
    )
    now = timezone.now()
    sheets = [
        Submission.objects.create(round=rnd, unit=u, status="submitted", submitted_at=now)
        for u in units
    ]
    review_sheets(sheets, lambda s: score(s.unit), tree.city)
    return AcceptanceRound.objects.create(
        programme=world.programme,
        cycle=world.programme.cycles.get(number=cycle),
        version=published_version(tree.county),
        round=rnd,
        name=f"{year}年第{cycle}批验收",
        pass_threshold=60,
    )
