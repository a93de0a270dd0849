"""The figures of a programme's annual self-evaluation report, for one year and one reader.

Every row is read through ``restrict(user, VIEW)`` (or an app's own selector that does), so the
report holds what its starter may see, exactly as the evaluation page does. The year's "as of"
day (``as_of``) is the year's last day, or today while the year is running.

1. Targets: each batch of the year or before, its target (``Cycle.target``) against the units
   now in a pilot state with that batch; creation plans' 计划完成率 against 序时进度 on
   ``as_of`` (plans.progress); communities of the programme (no target is kept for them).
2. Coverage by school type: units in scope (participations), pilots, controls, passed
   acceptance, withdrawn, community member schools; and every participation state's count.
3. Reporting: periodic reports closing in the year (reports.completeness.timeliness_for), on
   time / late / missing / not yet due, by the reporting unit's level and by zone.
4. Rectification: items of the programme issued in the year, by source (inspection, mid-term,
   acceptance, other): closed by ``as_of``, open, and overdue (open and past due on ``as_of``).
5. Impact: the evaluation page's estimate (analysis.evaluate, self-assessment total by year)
   over the periods up to the year, or the refusal saying why there is none.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.communities.models import Community, CommunityMember
from shidian.apps.core.access import VIEW
from shidian.apps.evaluation import analysis, selectors
from shidian.apps.inspections import states as item_states
from shidian.apps.inspections.models import RectificationItem
from shidian.apps.orgs.models import Level, OrgUnit, SchoolType
from shidian.apps.programmes.models import Participation, ParticipationState, Programme
from shidian.apps.reports.completeness import Tally, timeliness_for

PILOT_STATES = frozenset(s.value for s in selectors.PILOT_STATES)
PASSED_STATES = frozenset({ParticipationState.ACCEPTED.value, ParticipationState.CONDITIONAL.value})
# A rectification item's source (its ``source_type``) -> the report's source key.
SOURCES = {
    "inspections.finding": "inspection",
    "midterm.gapitem": "midterm",
    "acceptance.verdict": "acceptance",
}
SOURCE_ORDER = ("inspection", "midterm", "acceptance", "other")


def source_labels() -> dict[str, str]:
    return {
        "inspection": _("督查"),
        "midterm": _("中期评估"),
        "acceptance": _("验收"),
        "other": _("其他"),
    }


class YearInvalid(ValueError):
    """The year is not one of the programme's years that has begun."""


def report_years(programme: Programme, *, today: dt.date | None = None) -> list[int]:
    """The years a report may be made for: the programme's years that have begun."""
    today = today or timezone.localdate()
    last = min(programme.end_year, today.year)
    return list(range(programme.start_year, last + 1))


def check_year(programme: Programme, year: Any, *, today: dt.date | None = None) -> int:
    """``year`` as an int, or YearInvalid with the sentence to show."""
    years = report_years(programme, today=today)
    try:
        value = int(str(year).strip())
    except (TypeError, ValueError):
        value = None
    if value not in years:
        if not years:
            raise YearInvalid(_("该项目尚未开始，还没有可以自评的年度。"))
        raise YearInvalid(
            _("请选择项目已开始的年度（%(first)s—%(last)s 年）。")
            % {"first": years[0], "last": years[-1]}
        )
    return value


@dataclass
class BatchTarget:
    number: int
    year: int
    target: int
    actual: int

    @property
    def rate(self) -> float | None:
        return self.actual / self.target if self.target else None


@dataclass
class Targets:
    batches: list[BatchTarget] = field(default_factory=list)
    plans: int = 0  # plans with a version in force on as_of
    plan_rate: float | None = None  # mean 计划完成率
    plan_scheduled: float | None = None  # mean 序时进度
    plans_behind: int = 0
    communities: int = 0
    community_schools: int = 0

    @property
    def target_total(self) -> int:
        return sum(b.target for b in self.batches)

    @property
    def actual_total(self) -> int:
        return sum(b.actual for b in self.batches)


@dataclass
class CoverageRow:
    key: str  # school type ("" for units without one) or "total"
    label: str
    in_scope: int = 0
    pilots: int = 0
    controls: int = 0
    passed: int = 0
    withdrawn: int = 0
    community: int = 0

    @property
    def share(self) -> float | None:
        return self.pilots / self.in_scope if self.in_scope else None


@dataclass
class Coverage:
    rows: list[CoverageRow]
    total: CoverageRow
    states: list[tuple[str, str, int]]  # (state, label, count), every state


@dataclass(kw_only=True)
class ReportingRow(Tally):
    """One row of the reporting chapter: reports.completeness's counts of a group of units."""

    key: str
    label: str


@dataclass
class Reporting:
    by_level: list[ReportingRow]
    by_zone: list[ReportingRow]
    total: ReportingRow


@dataclass
class RectificationRow:
    key: str
    label: str
    issued: int = 0
    closed: int = 0
    overdue: int = 0

    @property
    def open(self) -> int:
        return self.issued - self.closed


@dataclass
class Rectification:
    rows: list[RectificationRow]
    total: RectificationRow


@dataclass
class Impact:
    evaluation: Any  # analysis.Evaluation
    outcome: str
    pilots: int
    controls: int
    periods: list[int]
    missing_cells: int

    @property
    def refusal(self) -> str | None:
        return self.evaluation.refusal

    def headline(self) -> Any:
        """The page's headline row: CS simple when staggered, TWFE otherwise."""
        ev = self.evaluation
        if ev.refusal or not ev.estimates:
            return None
        key = "cs_simple" if ev.result.design == "staggered" else "twfe"
        return next((r for r in ev.estimates if r.key == key), ev.estimates[0])


@dataclass
class AnnualContent:
    programme: Programme
    year: int
    as_of: dt.date
    targets: Targets
    coverage: Coverage
    reporting: Reporting
    rectification: Rectification
    impact: Impact


# ---- 1. targets ----------------------------------------------------------------------------


def _participations(user: Any, programme: Programme) -> list[tuple]:
    parts = Participation.objects.restrict(user, VIEW).filter(programme=programme)
    return list(
        parts.values_list(
            "unit_id", "state", "batch__number", "unit__school_type", "unit__level"
        ).iterator()
    )


def _community_schools(user: Any, programme: Programme, as_of: dt.date) -> tuple[int, set[int]]:
    """Active communities of the programme the user sees, and their member schools on as_of."""
    communities = Community.objects.restrict(user, VIEW).filter(programme=programme, is_active=True)
    ids = list(communities.values_list("pk", flat=True))
    members = CommunityMember.objects.restrict(user, VIEW).filter(
        community_id__in=ids, joined_on__lte=as_of
    )
    members = members.exclude(left_on__isnull=False, left_on__lte=as_of)
    return len(ids), set(members.values_list("unit_id", flat=True))


def _targets(
    user: Any, programme: Programme, year: int, as_of: dt.date, parts: list[tuple]
) -> Targets:
    from shidian.apps.plans.progress import completion_for
    from shidian.apps.programmes.models import Cycle

    cycles = Cycle.objects.restrict(user, VIEW).filter(programme=programme, year__lte=year)
    actual = Counter(b for _u, state, b, _t, _l in parts if state in PILOT_STATES and b)
    out = Targets(
        batches=[
            BatchTarget(c.number, c.year, c.target, actual.get(c.number, 0))
            for c in cycles.order_by("number")
        ]
    )
    visible = [u for u, *_rest in parts]
    done = completion_for(programme, as_of=as_of, unit_ids=visible)
    if done:
        out.plans = len(done)
        out.plan_rate = sum(c.rate for c in done.values()) / len(done)
        out.plan_scheduled = sum(c.scheduled for c in done.values()) / len(done)
        out.plans_behind = sum(1 for c in done.values() if c.behind)
    return out


# ---- 2. coverage ---------------------------------------------------------------------------


def _coverage(parts: list[tuple], members: set[int]) -> Coverage:
    labels = dict(SchoolType.choices)
    rows: dict[str, CoverageRow] = {}
    total = CoverageRow("total", _("合计"))
    states = Counter()
    for unit_id, state, _batch, school_type, _level in parts:
        key = school_type or ""
        row = rows.get(key)
        if row is None:
            row = rows[key] = CoverageRow(key, str(labels.get(key, _("未填学校类型"))))
        states[state] += 1
        for r in (row, total):
            r.in_scope += 1
            r.pilots += state in PILOT_STATES
            r.controls += state == ParticipationState.CONTROL
            r.passed += state in PASSED_STATES
            r.withdrawn += state == ParticipationState.WITHDRAWN
            r.community += unit_id in members
    order = {value: i for i, value in enumerate(SchoolType.values)}
    ordered = sorted(rows.values(), key=lambda r: order.get(r.key, len(order)))
    return Coverage(
        rows=ordered,
        total=total,
        states=[(s, str(label), states.get(s, 0)) for s, label in ParticipationState.choices],
    )


# ---- 3. reporting --------------------------------------------------------------------------


def _reporting(programme: Programme, year: int, parts: list[tuple]) -> Reporting:
    unit_ids = [u for u, *_rest in parts]
    found = timeliness_for(
        programme, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), unit_ids=unit_ids
    )
    levels = dict(Level.choices)
    level_of = {u: lvl for u, _s, _b, _t, lvl in parts}
    zones = dict(
        OrgUnit.objects.filter(pk__in=list(found)).values_list(  # scoping: ok ids seen above
            "pk", "zone__name"
        )
    )
    by_level: dict[str, ReportingRow] = {}
    by_zone: dict[str, ReportingRow] = {}
    total = ReportingRow(key="total", label=_("合计"))
    for unit_id, t in found.items():
        lvl = level_of.get(unit_id, "")
        row = by_level.setdefault(lvl, ReportingRow(key=lvl, label=str(levels.get(lvl, lvl))))
        zone = zones.get(unit_id) or ""
        zrow = by_zone.setdefault(zone, ReportingRow(key=zone, label=zone or _("未归属片区")))
        for r in (row, zrow, total):
            r.add(t)
    order = {value: i for i, value in enumerate(Level.values)}
    return Reporting(
        by_level=sorted(by_level.values(), key=lambda r: order.get(r.key, len(order))),
        by_zone=sorted(by_zone.values(), key=lambda r: (r.key == "", r.key)),
        total=total,
    )


# ---- 4. rectification ----------------------------------------------------------------------


def _rectification(user: Any, programme: Programme, year: int, as_of: dt.date) -> Rectification:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
    items = RectificationItem.objects.restrict(user, VIEW).filter(
        programme=programme, created_at__gte=start, created_at__lt=end
    )
    labels = source_labels()
    rows = {key: RectificationRow(key, labels[key]) for key in SOURCE_ORDER}
    total = RectificationRow("total", _("合计"))
    cutoff = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    fields = ("source_type", "status", "closed_at", "due_on")
    for source_type, status, closed_at, due_on in items.values_list(*fields).iterator():
        row = rows[SOURCES.get(source_type, "other")]
        closed = status == item_states.CLOSED and closed_at is not None and closed_at < cutoff
        for r in (row, total):
            r.issued += 1
            r.closed += closed
            r.overdue += not closed and due_on < as_of
    return Rectification(rows=[rows[k] for k in SOURCE_ORDER], total=total)


# ---- 5. impact -----------------------------------------------------------------------------


def _impact(user: Any, programme: Programme, year: int) -> Impact:
    rounds = selectors.programme_rounds(user=user, programme=programme)
    outcome = selectors.outcome_choices(rounds)[0]  # the standard's total
    table = selectors.panel_table(
        user=user, programme=programme, outcome=outcome, period_mode=selectors.YEAR, rounds=rounds
    )
    frame = table.frame[table.frame["period"] <= year].reset_index(drop=True)
    upto = dataclasses.replace(table, frame=frame)
    ev = analysis.evaluate(upto)
    return Impact(
        evaluation=ev,
        outcome=outcome.label,
        pilots=table.pilots,
        controls=table.controls,
        periods=sorted({int(p) for p in frame["period"]}),
        missing_cells=table.missing_cells,
    )


def as_of_day(year: int, *, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return min(dt.date(year, 12, 31), today)


def annual_content(
    *, user: Any, programme: Programme, year: int, today: dt.date | None = None, progress=None
) -> AnnualContent:
    """Every figure of the report (see the module docstring); ``progress(done, total, message)``
    is called between the sections."""
    as_of = as_of_day(year, today=today)
    step = progress or (lambda *_a, **_k: None)
    step(0, 5, _("正在汇总目标任务完成情况"))
    parts = _participations(user, programme)
    targets = _targets(user, programme, year, as_of, parts)
    targets.communities, members = _community_schools(user, programme, as_of)
    targets.community_schools = len(members)
    step(1, 5, _("正在统计覆盖情况"))
    coverage = _coverage(parts, members)
    step(2, 5, _("正在统计报表报送情况"))
    reporting = _reporting(programme, year, parts)
    step(3, 5, _("正在统计整改事项"))
    rectification = _rectification(user, programme, year, as_of)
    step(4, 5, _("正在估计项目效果"))
    impact = _impact(user, programme, year)
    return AnnualContent(
        programme=programme,
        year=year,
        as_of=as_of,
        targets=targets,
        coverage=coverage,
        reporting=reporting,
        rectification=rectification,
        impact=impact,
    )


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


__all__ = [
    "AnnualContent",
    "YearInvalid",
    "annual_content",
    "check_year",
    "percent",
    "report_years",
    "source_labels",
]
