"""Balance between schools (校际均衡) for a county: per-school values of a resource measure,
handed to the pure engine (shidian.engine.balance) per level, for each county in a subtree.

A measure is a ratio attribute of the school (multimedia classrooms per 100 students, students
per teacher...) or a number field of a report, each school's latest submitted value. Schools
are weighted by their students, as the national formula does, when every school of the level
has a student count; otherwise unweighted (the page says which).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from shidian.apps.indicators.attributes import SPECS
from shidian.apps.orgs import paths
from shidian.apps.orgs.models import Level, OrgUnit, SchoolType
from shidian.engine import balance as engine

# A nine-year school has a primary and a junior section; without per-section data it counts
# in both levels (a known simplification). Teaching points count with primary schools.
LEVEL_TYPES = {
    engine.PRIMARY: (SchoolType.PRIMARY, SchoolType.TEACHING_POINT, SchoolType.NINE_YEAR),
    engine.JUNIOR: (SchoolType.JUNIOR_HIGH, SchoolType.NINE_YEAR, SchoolType.COMPLETE_SECONDARY),
}
LEVEL_LABELS = {engine.PRIMARY: _("小学"), engine.JUNIOR: _("初中")}
ATTRIBUTE_MEASURES = (
    "multimedia_per_100",
    "classrooms_per_100",
    "students_per_teacher",
    "multimedia",
)


@dataclass
class Pulling:
    unit: OrgUnit
    value: float
    cv_without: float | None
    effect: float


@dataclass
class LevelRow:
    level: str
    label: str
    n: int
    mean: float | None
    cv: float | None
    threshold: float | None
    passes: bool | None
    weighted: bool
    pulls: list[Pulling] = field(default_factory=list)


@dataclass
class CountyBalance:
    county: OrgUnit
    levels: list[LevelRow]
    missing: int  # schools of the levels without a value


def measure_choices(user: Any) -> list[tuple[str, str]]:
    from shidian.apps.reports.models import ReportField

    found = [(f"attr:{code}", _label(code)) for code in ATTRIBUTE_MEASURES]
    fields = (
        ReportField.objects.restrict(user, "view")
        .filter(type__in=["number", "percent"], form__status="published")
        .select_related("form")
        .order_by("form__name", "order")[:100]
    )
    found += [(f"field:{f.pk}", f"{f.form.name} · {f.label}") for f in fields]
    return found


def _label(code: str) -> str:
    from shidian.apps.indicators.attributes import Attribute

    return str(Attribute(code).label)


def _school_values(measure: str, schools: list[OrgUnit], user: Any) -> dict[int, float]:
    kind, _sep, ref = measure.partition(":")
    if kind == "attr" and ref in SPECS and not SPECS[ref].share_of_schools:
        spec = SPECS[ref]
        out = {}
        for s in schools:
            num, den = getattr(s, spec.numerator), getattr(s, spec.denominator)
            if num is not None and den:
                out[s.pk] = num / den * spec.scale
        return out
    if kind == "field" and ref.isdigit():
        from shidian.apps.reports.models import ReportField, ReportValue

        fld = ReportField.objects.restrict(user, "view").filter(pk=int(ref)).first()
        if fld is None:
            raise ValueError("unknown field")
        rows = (
            ReportValue.objects.filter(
                field=fld, na=False, number__isnull=False, unit_id__in=[s.pk for s in schools]
            )
            .order_by("unit_id", "-period__ends_on")
            .values_list("unit_id", "number")
        )
        out = {}
        for unit_id, number in rows:
            out.setdefault(unit_id, number)  # the first row per unit is its latest period
        return out
    raise ValueError("unknown measure")


def county_balance(
    *,
    user: Any,
    within: OrgUnit,
    measure: str,
    thresholds: dict[str, float] | None = None,
    top: int = 5,
) -> list[CountyBalance]:
    """For each county in (or above) ``within``: CV per level over its schools under
    ``within``, against the thresholds, and the ``top`` schools pulling it up."""
    limits = dict(engine.THRESHOLDS if thresholds is None else thresholds)
    types = {t for group in LEVEL_TYPES.values() for t in group}
    schools = list(
        OrgUnit.objects.schools()
        .filter(is_active=True, school_type__in=types)
        .within(within)
        .order_by("path")
    )
    counties = list(
        OrgUnit.objects.filter(level=Level.COUNTY).filter(
            path__in=paths.ancestor_paths(within.path) + [within.path]
        )
        | OrgUnit.objects.filter(level=Level.COUNTY).within(within)
    )
    counties.sort(key=lambda u: u.path)
    values = _school_values(measure, schools, user)
    result = []
    for county in counties:
        mine = [s for s in schools if s.is_within(county)]
        if not mine:
            continue
        rows = []
        missing = 0
        for level, level_types in LEVEL_TYPES.items():
            members = [s for s in mine if s.school_type in level_types]
            have = [s for s in members if s.pk in values]
            missing += len(members) - len(have)
            weighted = bool(have) and all(s.students for s in have)
            data = [
                engine.SchoolValue(
                    str(s.pk), level, values[s.pk], float(s.students) if weighted else 1.0
                )
                for s in have
            ]
            (lb,) = engine.level_balance(data, thresholds=limits, top=top, levels=(level,))
            by_pk = {str(s.pk): s for s in have}
            rows.append(
                LevelRow(
                    level=level,
                    label=str(LEVEL_LABELS[level]),
                    n=lb.n,
                    mean=lb.mean,
                    cv=lb.cv,
                    threshold=lb.threshold,
                    passes=lb.passes,
                    weighted=weighted,
                    pulls=[
                        Pulling(by_pk[p.key], p.value, p.cv_without, p.effect) for p in lb.pulls
                    ],
                )
            )
        result.append(CountyBalance(county=county, levels=rows, missing=missing))
    return result
