"""Reads of the evaluation page: the outcomes a programme offers and the panel behind every figure.

The panel is one row per unit and period with the columns ``shidian did`` reads (PANEL_COLUMNS):
pilots (participation state pilot / accepted / conditional / not accepted, in a batch; cohort =
the batch's year, or the first round opened in or after it) against their comparison units (the
matched controls of the programme's selections, and units in the state "control"). Scores come
from the self-assessment sheets (campaigns, mid-term rounds included) submitted in the
programme's rounds. Every query goes through ``restrict(user, VIEW)``, so a user sees only the
units of their subtree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.access import VIEW
from shidian.apps.programmes.models import Participation, ParticipationState, Programme
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
YEAR, ROUND = "year", "round"
PERIOD_CHOICES = [(YEAR, _("按年度")), (ROUND, _("按填报轮次"))]


@dataclass
class Outcome:
    key: str  # "total", "dim:<code>" or "ind:<code>"
    label: str


@dataclass
class PanelTable:
    frame: pd.DataFrame  # PANEL_COLUMNS
    outcome: Outcome
    period_mode: str
    rounds: int
    pilots: int
    controls: int
    batches: list[tuple[int, int, Any]] = field(default_factory=list)  # number, cohort, label
    late_batches: list[Any] = field(default_factory=list)  # batches entering after the panel
    missing_cells: int = 0  # unit-periods without a submitted sheet


def programme_rounds(*, user: Any, programme: Programme) -> list[Round]:
    """The programme's self-assessment rounds the user sees, oldest first."""
    qs = Round.objects.restrict(user, VIEW).filter(programme=programme, kind="self_assessment")
    return list(qs.select_related("version").order_by("opens_on", "pk"))


def outcome_choices(rounds: list[Round]) -> list[Outcome]:
    """The standard's total, then each dimension and indicator of the rounds' standards."""
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
    return found


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
    """The long panel for ``outcome`` by year or by round (see the module docstring)."""
    pilots, controls, names = _units(user=user, programme=programme)
    read = _value_reader(outcome.key, rounds)
    # period of each round: its year, or its position among the rounds
    if period_mode == ROUND:
        period_of = {r.pk: i + 1 for i, r in enumerate(rounds)}
        label_of = {i + 1: r.name for i, r in enumerate(rounds)}
    else:
        period_of = {r.pk: r.opens_on.year for r in rounds}
        label_of = {y: str(y) for y in sorted(set(period_of.values()))}
    order = {r.pk: i for i, r in enumerate(rounds)}
    sheets = Submission.objects.restrict(user, VIEW).filter(
        round_id__in=list(order), unit_id__in=[*pilots, *controls], status__in=list(SUBMITTED)
    )
    fields = ("round_id", "unit_id", "total", "dimension_scores")
    fields += ("scores",) if outcome.key.startswith("ind:") else ()
    values: dict[tuple[int, int], tuple[int, float]] = {}
    for row in sheets.values(*fields).iterator():
        rid = row["round_id"]
        value = read(rid, row)
        if value is None:
            continue
        key = (row["unit_id"], period_of[rid])
        # two rounds in one year: the later round's sheet stands for the year
        if key not in values or values[key][0] < order[rid]:
            values[key] = (order[rid], float(value))
    periods = sorted(label_of)
    batches: dict[int, tuple[int, Any]] = {}
    late = []
    for number, year in sorted(set(pilots.values())):
        cohort = _cohort(year, rounds, period_mode)
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
            cell = values.get((uid, t))
            if cell is None:
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
            out["outcome"].append(cell[1])
    frame = pd.DataFrame({c: out.get(c, []) for c in PANEL_COLUMNS})
    return PanelTable(
        frame=frame,
        outcome=outcome,
        period_mode=period_mode,
        rounds=len(rounds),
        pilots=len(pilots),
        controls=len(controls),
        batches=[(n, c, y) for n, (c, y) in sorted(batches.items())],
        late_batches=late,
        missing_cells=missing,
    )


def _cohort(year: int, rounds: list[Round], period_mode: str) -> int:
    """The period a batch entering in ``year`` is first treated in."""
    if period_mode != ROUND:
        return int(year)
    for i, r in enumerate(rounds):
        if r.opens_on.year >= year:
            return i + 1
    return len(rounds) + 1  # after the last round: never treated within the panel
