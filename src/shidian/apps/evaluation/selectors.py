"""Reads of the evaluation page: the outcomes a programme offers and the panel behind every figure.

The panel is one row per unit and period with the columns ``shidian did`` reads (PANEL_COLUMNS):
pilots (participation state pilot / accepted / conditional / not accepted, in a batch; cohort =
the batch's year, or the first occasion dated in or after it) against their comparison units
(the matched controls of the programme's selections, and units in the state "control").

An outcome comes from one of four sources (``Outcome.source``), each a list of dated occasions
and one value per unit and occasion:

* ``sheets``: self-assessment sheets (campaigns, mid-term rounds included) submitted in the
  programme's rounds; the total, a dimension or an indicator. Two rounds in one year: the later
  round's sheet stands for the year.
* ``reports``: a numeric field (number, percent) of a periodic report form; only values of
  submitted, resubmitted or accepted reports, "not applicable" left out. By year: the mean of
  the year's filed values (periods by their start date); by round: each report period.
* ``midterm``: the reviewed score of the mid-term rounds' sheets (mean of the reviewers' totals),
  once the scores count (experts: after the office released the reviews).
* ``acceptance``: the acceptance experts' score of a pilot's acceptance report (mean of the
  reviewers' totals). Acceptance happens once, after entry, and only for pilots.

Every query goes through ``restrict(user, VIEW)``, so a user sees only the units of their subtree
and a value (a review under blind review, a report of another subtree) the user cannot see never
enters the panel.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

import pandas as pd
from django.utils.translation import gettext_lazy as _

from shidian.apps.acceptance.models import AcceptanceRound
from shidian.apps.core.access import VIEW
from shidian.apps.midterm.models import MidtermRound
from shidian.apps.midterm.selectors import scores_ready
from shidian.apps.programmes.models import Participation, ParticipationState, Programme
from shidian.apps.reports.models import (
    FieldType,
    FormStatus,
    ReportField,
    ReportPeriod,
    ReportValue,
)
from shidian.apps.reviews.models import Review
from shidian.apps.selection.models import ControlPair
from shidian.apps.submissions.models import Round, Submission
from shidian.apps.submissions.states import SUBMITTED

PANEL_COLUMNS = [
    "unit",
    "name",
    "group",
    "batch",
    "period",
    "period_label",
    "treated",
    "cohort",
    "outcome",
]
PILOT_STATES = (
    ParticipationState.PILOT,
    ParticipationState.ACCEPTED,
    ParticipationState.CONDITIONAL,
    ParticipationState.NOT_ACCEPTED,
)
TOTAL = "total"
MIDTERM = "mid:total"
ACCEPTANCE = "acc:total"
SHEETS, REPORTS, EXPERT_MIDTERM, EXPERT_ACCEPTANCE = "sheets", "reports", "midterm", "acceptance"
YEAR, ROUND = "year", "round"
PERIOD_CHOICES = [(YEAR, _("按年度")), (ROUND, _("按填报轮次"))]
GROUPS = {
    SHEETS: _("自查赋分"),
    REPORTS: _("周期报表（数值字段）"),
    EXPERT_MIDTERM: _("中期初评评分"),
    EXPERT_ACCEPTANCE: _("验收评分"),
}
# How a source's values become one value per unit and period (shown on the page).
RULES = {
    SHEETS: _("同一年度有两轮自查时，以较晚一轮的已提交得分代表该年度。"),
    REPORTS: _(
        "按年度：该单位当年各报送期（按开始日期归年）已提交、已重新提交或已通过的数值的平均值；"
        "“不适用”和退回后未重新提交的数值不计入。按轮次：每个报送期一个时期。"
    ),
    EXPERT_MIDTERM: _(
        "每份初评自查表的评分为各评分人核定总分的平均值；专家评分在项目办公布评审结果后才计入。"
        "同一年度有两轮时以较晚一轮为准。"
    ),
    EXPERT_ACCEPTANCE: _("每所试点的验收评分为各验收专家核定总分的平均值。"),
}
NUMERIC = (FieldType.NUMBER, FieldType.PERCENT)


@dataclass
class Outcome:
    key: str  # "total", "dim:<code>", "ind:<code>", "rep:<field id>", "mid:total", "acc:total"
    label: str

    @property
    def source(self) -> str:
        return source_of(self.key)


def source_of(key: str) -> str:
    if key.startswith("rep:"):
        return REPORTS
    if key == MIDTERM:
        return EXPERT_MIDTERM
    if key == ACCEPTANCE:
        return EXPERT_ACCEPTANCE
    return SHEETS


@dataclass
class Occasion:
    """One dated filing of a source: a round, a report period."""

    pk: int
    name: str
    on: dt.date


@dataclass
class PanelTable:
    frame: pd.DataFrame  # PANEL_COLUMNS
    outcome: Outcome
    period_mode: str
    rounds: int  # occasions of the source (rounds, report periods) the user sees
    pilots: int
    controls: int
    batches: list[tuple[int, int, Any]] = field(default_factory=list)  # number, cohort, label
    late_batches: list[Any] = field(default_factory=list)  # batches entering after the panel
    missing_cells: int = 0  # unit-periods without a submitted sheet
    rule: str = ""  # how the source's values become one value per unit and period

    @property
    def source(self) -> str:
        return self.outcome.source


def programme_rounds(*, user: Any, programme: Programme) -> list[Round]:
    """The programme's self-assessment rounds the user sees, oldest first."""
    qs = Round.objects.restrict(user, VIEW).filter(programme=programme, kind="self_assessment")
    return list(qs.select_related("version").order_by("opens_on", "pk"))


def outcome_choices(
    rounds: list[Round], *, user: Any = None, programme: Programme | None = None
) -> list[Outcome]:
    """The standard's total, then each dimension and indicator of the rounds' standards; with a
    user and programme also the numeric fields of the programme's report forms the user sees,
    the mid-term score and the acceptance score (offered always: the page says why a source
    without data gives no estimate)."""
    found = [Outcome(TOTAL, str(_("自评总分")))]
    seen = {TOTAL}
    for r in rounds:
        if r.version is None:
            continue
        standard = r.version.as_standard()
        for dim in standard.dimensions:
            key = f"dim:{dim.code}"
            if key not in seen:
                seen.add(key)
                found.append(Outcome(key, f"{dim.code} {dim.name}"))
            for ind in dim.indicators:
                key = f"ind:{ind.code}"
                if key not in seen:
                    seen.add(key)
                    found.append(Outcome(key, f"{dim.code} › {ind.code} {ind.name}"))
    if user is None or programme is None:
        return found
    fields = (
        ReportField.objects.restrict(user, VIEW)
        .filter(form__programme=programme, type__in=NUMERIC)
        .exclude(form__status=FormStatus.DRAFT)
        .select_related("form")
        .order_by("form__created_at", "form_id", "order", "pk")
    )
    for f in fields:
        unit = f"（{f.unit_label}）" if f.unit_label else ""
        found.append(Outcome(f"rep:{f.pk}", f"{f.form.name} › {f.label}{unit}"))
    found.append(Outcome(MIDTERM, str(_("中期初评核定总分"))))
    found.append(Outcome(ACCEPTANCE, str(_("验收专家评分"))))
    return found


def grouped_choices(outcomes: list[Outcome]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The chooser's options under their source's heading, in GROUPS order."""
    groups: dict[str, list[tuple[str, str]]] = {s: [] for s in GROUPS}
    for o in outcomes:
        groups[o.source].append((o.key, o.label))
    return [(str(GROUPS[s]), opts) for s, opts in groups.items() if opts]


def _value_reader(outcome: str, rounds: list[Round]):
    """A function (round_id, sheet row) -> the outcome's value or None."""
    if outcome == TOTAL:
        return lambda _rid, row: row["total"]
    kind, code = outcome.split(":", 1)
    if kind == "dim":
        return lambda _rid, row: (row["dimension_scores"] or {}).get(code)
    items: dict[int, dict[str, float]] = {}  # round -> the indicator's items and weights
    for r in rounds:
        if r.version is None:
            continue
        standard = r.version.as_standard()
        weights = standard.item_weight()
        items[r.pk] = {
            item.code: weights[item.code]
            for _dim, ind, item in standard.item_paths()
            if ind.code == code
        }

    def indicator(rid: int, row: dict) -> float | None:
        weights = items.get(rid)
        if not weights:
            return None
        scores = row["scores"] or {}
        return float(sum((scores.get(c) or 0.0) * w for c, w in weights.items()))

    return indicator


def _units(*, user: Any, programme: Programme) -> tuple[dict, dict, dict]:
    """Pilots (unit id -> (cycle number, cycle year)), controls (unit id -> None) and unit
    (code, name) of each, among the participations the user sees."""
    parts = Participation.objects.restrict(user, VIEW).filter(programme=programme)
    rows = parts.values_list("unit_id", "state", "batch__number", "batch__year")
    rows = list(rows.iterator())
    visible = {r[0] for r in rows}
    pilots = {r[0]: (r[2], r[3]) for r in rows if r[1] in PILOT_STATES and r[2] is not None}
    controls = {r[0] for r in rows if r[1] == ParticipationState.CONTROL}
    pairs = ControlPair.objects.restrict(user, VIEW).filter(selection__programme=programme)
    controls |= set(pairs.values_list("control_id", flat=True))
    controls = {u for u in controls if u in visible and u not in pilots}
    names = {}
    if pilots or controls:
        labels = parts.filter(unit_id__in=[*pilots, *controls])
        for uid, code, name in labels.values_list("unit_id", "unit__code", "unit__name"):
            names[uid] = (code, name)
    return pilots, dict.fromkeys(controls), names


def panel_table(
    *, user: Any, programme: Programme, outcome: Outcome, period_mode: str, rounds: list[Round]
) -> PanelTable:
    """The long panel for ``outcome`` by year or by round (see the module docstring); ``rounds``
    are the programme's self-assessment rounds (the sheets' occasions)."""
    pilots, controls, names = _units(user=user, programme=programme)
    units = [*pilots, *controls]
    source = outcome.source
    if source == REPORTS:
        occasions, values = _report_values(user=user, programme=programme, outcome=outcome,
                                           units=units)  # fmt: skip
    elif source == EXPERT_MIDTERM:
        occasions, values = _midterm_values(user=user, programme=programme, units=units)
    elif source == EXPERT_ACCEPTANCE:
        occasions, values = _acceptance_values(user=user, programme=programme, units=units)
    else:
        occasions = [Occasion(r.pk, r.name, r.opens_on) for r in rounds]
        values = _sheet_values(user=user, outcome=outcome, rounds=rounds, units=units)
    combine = _mean if source == REPORTS else _latest
    return _assemble(
        pilots=pilots,
        controls=controls,
        names=names,
        occasions=occasions,
        values=values,
        combine=combine,
        outcome=outcome,
        period_mode=period_mode,
    )


def _latest(cells: list[tuple[int, float]]) -> float:
    """Two occasions in one period: the later one's value stands for the period."""
    return max(cells)[1]


def _mean(cells: list[tuple[int, float]]) -> float:
    """The mean of the period's filed values."""
    return fmean(v for _order, v in cells)


Values = dict[tuple[int, int], float]  # (unit id, occasion id) -> value


def _sheet_values(*, user: Any, outcome: Outcome, rounds: list[Round], units: list[int]) -> Values:
    read = _value_reader(outcome.key, rounds)
    sheets = Submission.objects.restrict(user, VIEW).filter(
        round_id__in=[r.pk for r in rounds], unit_id__in=units, status__in=list(SUBMITTED)
    )
    fields = ("round_id", "unit_id", "total", "dimension_scores")
    fields += ("scores",) if outcome.key.startswith("ind:") else ()
    values: Values = {}
    for row in sheets.values(*fields).iterator():
        value = read(row["round_id"], row)
        if value is not None:
            values[(row["unit_id"], row["round_id"])] = float(value)
    return values


def _report_values(
    *, user: Any, programme: Programme, outcome: Outcome, units: list[int]
) -> tuple[list[Occasion], Values]:
    """The field's values by report period: submitted reports only, "not applicable" left out."""
    try:
        field_id = int(outcome.key.split(":", 1)[1])
    except ValueError:
        return [], {}
    found = ReportField.objects.restrict(user, VIEW).filter(
        pk=field_id, form__programme=programme, type__in=NUMERIC
    )
    form_id = found.values_list("form_id", flat=True).first()
    if form_id is None:
        return [], {}
    periods = ReportPeriod.objects.restrict(user, VIEW).filter(form_id=form_id)
    occasions = [
        Occasion(pk, label, starts_on)
        for pk, label, starts_on in periods.order_by("starts_on", "pk").values_list(
            "pk", "label", "starts_on"
        )
    ]
    rows = ReportValue.objects.restrict(user, VIEW).filter(
        field_id=field_id,
        period_id__in=[o.pk for o in occasions],
        unit_id__in=units,
        na=False,
        number__isnull=False,
        submission__status__in=list(SUBMITTED),
    )
    values: Values = {}
    for unit_id, period_id, number in rows.values_list("unit_id", "period_id", "number").iterator():
        values[(unit_id, period_id)] = float(number)
    return occasions, values


def _reviewed(user: Any, sheets: Iterable[tuple[int, int]]) -> dict[int, float]:
    """Unit id -> the mean of the reviewers' totals on its sheet, among the ``(sheet id, unit
    id)`` pairs, reading only the reviews the user may see (blind review is Review's policy)."""
    unit_of = dict(sheets)
    totals: dict[int, list[float]] = defaultdict(list)
    reviews = Review.objects.restrict(user, VIEW).filter(
        submission_id__in=list(unit_of), draft=False
    )
    for sheet_id, total in reviews.values_list("submission_id", "total").iterator():
        if total is not None:
            totals[unit_of[sheet_id]].append(float(total))
    return {unit: fmean(found) for unit, found in totals.items()}


def _expert_values(user: Any, rounds: list[tuple[Occasion, int]], units: list[int]) -> Values:
    """(occasion, submission round id) pairs -> the reviewed score of each unit's sheet."""
    values: Values = {}
    for occasion, round_id in rounds:
        sheets = Submission.objects.restrict(user, VIEW).filter(
            round_id=round_id, unit_id__in=units, status__in=list(SUBMITTED)
        )
        for unit, score in _reviewed(user, sheets.values_list("pk", "unit_id")).items():
            values[(unit, occasion.pk)] = score
    return values


def _midterm_values(
    *, user: Any, programme: Programme, units: list[int]
) -> tuple[list[Occasion], Values]:
    """Mid-term rounds whose scores count (``midterm.selectors.scores_ready``), oldest first."""
    found = MidtermRound.objects.restrict(user, VIEW).filter(programme=programme)
    found = found.select_related("campaign").order_by("campaign__opens_on", "pk")
    pairs = [
        (Occasion(m.pk, m.name, m.campaign.opens_on), m.campaign_id)
        for m in found
        if scores_ready(m)
    ]
    return [o for o, _rid in pairs], _expert_values(user, pairs, units)


def _acceptance_values(
    *, user: Any, programme: Programme, units: list[int]
) -> tuple[list[Occasion], Values]:
    found = AcceptanceRound.objects.restrict(user, VIEW).filter(programme=programme)
    found = found.select_related("round").order_by("round__opens_on", "pk")
    pairs = [(Occasion(a.pk, a.name, a.round.opens_on), a.round_id) for a in found]
    return [o for o, _rid in pairs], _expert_values(user, pairs, units)


def _assemble(
    *,
    pilots: dict,
    controls: dict,
    names: dict,
    occasions: list[Occasion],
    values: Values,
    combine: Callable[[list[tuple[int, float]]], float],
    outcome: Outcome,
    period_mode: str,
) -> PanelTable:
    """One row per unit and period from the values by occasion: by round each occasion is a
    period (1..R in date order); by year ``combine`` makes one value of the year's values."""
    if period_mode == ROUND:
        period_of = {o.pk: i + 1 for i, o in enumerate(occasions)}
        label_of = {i + 1: o.name for i, o in enumerate(occasions)}
    else:
        period_of = {o.pk: o.on.year for o in occasions}
        label_of = {y: str(y) for y in sorted(set(period_of.values()))}
    order = {o.pk: i for i, o in enumerate(occasions)}
    cells: dict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)
    for (unit_id, occasion_id), value in values.items():
        if occasion_id in period_of:
            cells[(unit_id, period_of[occasion_id])].append((order[occasion_id], value))
    periods = sorted(label_of)
    dates = [o.on for o in occasions]
    batches: dict[int, tuple[int, Any]] = {}
    late = []
    for number, year in sorted(set(pilots.values())):
        cohort = _cohort(year, dates, period_mode)
        batches[number] = (cohort, year)
        if not periods or cohort > periods[-1]:
            late.append(number)
    out: dict[str, list] = defaultdict(list)
    missing = 0
    for uid in sorted([*pilots, *controls], key=lambda u: names.get(u, ("", ""))[0]):
        code, name = names.get(uid, ("", ""))
        pilot = uid in pilots
        number = pilots[uid][0] if pilot else None
        for t in periods:
            found = cells.get((uid, t))
            if not found:
                missing += 1
                continue
            out["unit"].append(code)
            out["name"].append(name)
            out["group"].append("pilot" if pilot else "control")
            out["batch"].append(number)
            out["period"].append(t)
            out["period_label"].append(label_of[t])
            out["treated"].append(1 if pilot else 0)
            out["cohort"].append(batches[number][0] if pilot else None)
            out["outcome"].append(float(combine(found)))
    frame = pd.DataFrame({c: out.get(c, []) for c in PANEL_COLUMNS})
    return PanelTable(
        frame=frame,
        outcome=outcome,
        period_mode=period_mode,
        rounds=len(occasions),
        pilots=len(pilots),
        controls=len(controls),
        batches=[(n, c, y) for n, (c, y) in sorted(batches.items())],
        late_batches=late,
        missing_cells=missing,
        rule=str(RULES[outcome.source]),
    )


def _cohort(year: int, dates: list[dt.date], period_mode: str) -> int:
    """The period a batch entering in ``year`` is first treated in (``dates``: the occasions')."""
    if period_mode != ROUND:
        return int(year)
    for i, on in enumerate(dates):
        if on.year >= year:
            return i + 1
    return len(dates) + 1  # after the last occasion: never treated within the panel
