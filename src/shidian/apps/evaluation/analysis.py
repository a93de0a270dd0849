"""Run the DiD engine on a programme's panel and shape what the page shows.

The whole panel goes through ``shidian.engine.did.run_did`` exactly as ``shidian did FILE --unit
unit --period period --treated treated --cohort cohort --outcome outcome --event-study`` runs it
on the downloaded XLSX (tests/evaluation/test_cli_reproduction.py holds the two together); each
batch's 2x2 is that batch's pilots against the comparison units.

A source that cannot give an estimate refuses by code before the engine runs (``_precheck``):
acceptance scores exist once, after entry, for pilots only, so the page shows their distribution
by batch (``cross_section``) and says why that is no difference-in-differences; mid-term scores
without controls and without a pre-entry score refuse likewise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shidian.apps.evaluation import selectors as sel
from shidian.apps.evaluation.messages import note_texts, refusal_text
from shidian.apps.evaluation.selectors import PanelTable
from shidian.engine.did import run_did
from shidian.engine.did.estimators import Estimate, did_2x2
from shidian.engine.did.panel import prepare_panel
from shidian.engine.errors import EngineInputError

COLUMNS = {"unit": "unit", "period": "period", "treated": "treated", "cohort": "cohort"}
MBARS = (0.0, 0.5, 1.0, 1.5, 2.0)
Z95 = 1.959963984540054


def command(filename: str) -> str:
    """The ``shidian did`` command that reproduces the page from the downloaded panel."""
    return (
        f"shidian did {filename} --unit unit --period period --treated treated "
        "--cohort cohort --outcome outcome --event-study"
    )


def fmt(value: Any, digits: str = ".4g") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return format(float(value), digits)


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass
class Row:
    key: str
    label: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float | None
    units: int | None = None
    periods: int | None = None
    clusters: int | None = None

    @property
    def shown(self) -> dict[str, str]:
        return {
            "estimate": fmt(self.estimate),
            "se": fmt(self.se),
            "ci": f"[{fmt(self.ci_low)}, {fmt(self.ci_high)}]",
            "p": fmt(self.p_value, ".3g"),
        }


def _row(key: str, label: str, e: Estimate, **n: Any) -> Row:
    return Row(key, label, e.estimate, e.se, e.ci95[0], e.ci95[1], e.p_value, **n)


@dataclass
class Evaluation:
    refusal: str | None = None  # a sentence in the user's language
    refusal_code: str | None = None
    result: Any = None  # DidResult
    estimates: list[Row] = field(default_factory=list)
    batches: list[dict] = field(default_factory=list)  # per-batch 2x2
    cohorts: list[Row] = field(default_factory=list)  # CS group aggregation by cohort
    dynamic: list[dict] = field(default_factory=list)  # event-study rows
    chart: dict | None = None
    sensitivity: dict | None = None
    notes: list[str] = field(default_factory=list)
    meaning: list[str] = field(default_factory=list)
    cross_section: list[dict] = field(default_factory=list)  # acceptance: scores by batch


def evaluate(table: PanelTable) -> Evaluation:
    """Every figure of the page, or a refusal saying why there is none."""
    source = table.source
    code = _precheck(table)
    if code:
        ev = Evaluation(refusal=refusal_text(code, source=source), refusal_code=code)
        if code == "eval_acceptance_cross_section":
            ev.cross_section = cross_section(table)
        return ev
    label = table.outcome.label
    frame = table.frame.rename(columns={"outcome": label})
    try:
        result = run_did(frame, outcome=label, event_study_on=True, **COLUMNS)
    except EngineInputError as exc:
        text = refusal_text(exc.code, exc.params, source=source)
        return Evaluation(refusal=text, refusal_code=exc.code)
    ev = Evaluation(result=result)
    n = {"units": result.n_units, "periods": result.n_periods, "clusters": result.n_clusters}
    if result.did_2x2 is not None:
        ev.estimates.append(_row("2x2", _("2×2 双重差分"), result.did_2x2, **n))
    ev.estimates.append(_row("twfe", _("双向固定效应（按单位聚类标准误）"), result.twfe, **n))
    cs = result.callaway_santanna
    if cs is not None:
        ev.estimates.append(_row("cs_simple", _("Callaway & Sant'Anna：简单汇总"), cs.simple, **n))
        if cs.group_overall is not None:
            ev.estimates.append(
                _row("cs_group", _("Callaway & Sant'Anna：按批次汇总"), cs.group_overall, **n)
            )
        if cs.dynamic_overall is not None:
            ev.estimates.append(
                _row("cs_dynamic", _("Callaway & Sant'Anna：动态汇总"), cs.dynamic_overall, **n)
            )
        for g in cs.group.to_dict(orient="records"):
            if _finite(g["estimate"]) is None or _finite(g["se"]) is None:
                continue
            ev.cohorts.append(
                Row(
                    "cohort",
                    str(g["cohort"]),
                    g["estimate"],
                    g["se"],
                    g["ci_low"],
                    g["ci_high"],
                    _p(g["estimate"], g["se"]),
                )
            )
    ev.batches = _batches(table)
    ev.dynamic, ev.chart = _event_study(result)
    ev.sensitivity = _sensitivity(cs)
    ev.notes = note_texts(result.note_params)
    zh = (get_language() or "zh-hans").lower().startswith("zh")
    ev.meaning = list(result.meaning_zh if zh else result.meaning_en)
    return ev


NO_OCCASIONS = {
    sel.SHEETS: "eval_no_rounds",
    sel.REPORTS: "eval_no_report_periods",
    sel.EXPERT_MIDTERM: "eval_no_midterm",
    sel.EXPERT_ACCEPTANCE: "eval_no_acceptance",
}


def _precheck(table: PanelTable) -> str | None:
    source = table.source
    if table.rounds == 0:
        return NO_OCCASIONS[source]
    if table.pilots == 0:
        return "eval_no_pilots"
    if table.controls == 0 and source != sel.EXPERT_ACCEPTANCE:
        return "eval_no_controls"
    if table.frame.empty:
        return "eval_no_data"
    if source == sel.EXPERT_ACCEPTANCE:
        # once per pilot, after entry, no controls: never a difference-in-differences
        return "eval_acceptance_cross_section"
    if source == sel.EXPERT_MIDTERM:
        frame = table.frame
        pilots = frame[frame["treated"] == 1]
        before = (pilots["period"] < pilots["cohort"]).any()
        if not before and not (frame["treated"] == 0).any():
            return "eval_midterm_no_comparison"
    return None


def cross_section(table: PanelTable) -> list[dict]:
    """The scores' distribution by batch and over all pilots (count, mean, SD, min, max): a
    description, not an effect."""
    frame = table.frame[table.frame["treated"] == 1]
    groups = [(b, frame[frame["batch"] == b]) for b, _c, _y in table.batches]
    years = {b: y for b, _c, y in table.batches}
    out = []
    for number, part in [*groups, (None, frame)]:
        values = part["outcome"].astype(float)
        if values.empty:
            continue
        out.append(
            {
                "number": number,
                "year": years.get(number),
                "n": int(values.size),
                "mean": fmt(values.mean()),
                "sd": fmt(values.std(ddof=1)) if values.size > 1 else "—",
                "min": fmt(values.min()),
                "max": fmt(values.max()),
                "mean_value": float(values.mean()),
            }
        )
    return out


def _p(est: float, se: float) -> float | None:
    if not se or not math.isfinite(se) or se <= 0:
        return None
    return math.erfc(abs(est / se) / math.sqrt(2))


def _batches(table: PanelTable) -> list[dict]:
    """Each batch's pilots against the comparison units: the canonical 2x2."""
    frame = table.frame
    controls = frame[frame["treated"] == 0]
    out = []
    for number, cohort, year in table.batches:
        pilots = frame[frame["batch"] == number]
        row: dict[str, Any] = {"number": number, "year": year, "cohort": cohort}
        sub = pd.concat([pilots, controls], ignore_index=True)
        try:
            if pilots.empty or controls.empty:
                raise EngineInputError("no pilots or controls", code="eval_no_data")
            panel = prepare_panel(sub, outcome="outcome", **COLUMNS)
            two = did_2x2(panel)
            if two is None:
                raise EngineInputError("no 2x2", code="did_no_controls")
        except EngineInputError as exc:
            row["refusal"] = refusal_text(exc.code, exc.params, source=table.source)
            out.append(row)
            continue
        est, cells = two
        row["row"] = _row(
            f"batch{number}",
            str(number),
            est,
            units=panel.units,
            periods=panel.periods,
            clusters=panel.clusters,
        )
        row["pilots"] = panel.treated_units
        row["controls"] = panel.never_treated
        row["cells"] = {k: fmt(v) for k, v in cells.items()}
        out.append(row)
    return out


def _event_study(result) -> tuple[list[dict], dict | None]:
    """Rows by period relative to entry, TWFE and Callaway & Sant'Anna side by side."""
    series: dict[str, dict[int, list]] = {"twfe": {}, "cs": {}}
    if result.event_study is not None:
        for r in result.event_study.table.to_dict(orient="records"):
            series["twfe"][int(r["rel_period"])] = [r["estimate"], r["ci_low"], r["ci_high"]]
    if result.callaway_santanna is not None:
        for r in result.callaway_santanna.dynamic.to_dict(orient="records"):
            series["cs"][int(r["rel_period"])] = [r["estimate"], r["ci_low"], r["ci_high"]]
    rels = sorted(set(series["twfe"]) | set(series["cs"]))
    if not rels:
        return [], None
    rows = []
    for e in rels:
        row: dict[str, Any] = {"rel": e, "pre": e < 0}
        for name in ("twfe", "cs"):
            v = series[name].get(e)
            if v is None or _finite(v[0]) is None:
                row[name] = None
            else:
                lo, hi = _finite(v[1]), _finite(v[2])
                ci = "—" if lo is None or hi is None else f"[{fmt(lo)}, {fmt(hi)}]"
                row[name] = {"estimate": fmt(v[0]), "ci": ci}
        rows.append(row)

    def points(name: str) -> list:
        return [
            [e, _finite(v[0]), _finite(v[1]), _finite(v[2])]
            for e, v in sorted(series[name].items())
            if _finite(v[0]) is not None
        ]

    chart = {"rel": rels, "twfe": points("twfe"), "cs": points("cs")}
    return rows, chart


def _sensitivity(cs) -> dict | None:
    s = cs.sensitivity if cs is not None else None
    if s is None:
        return None
    robust = []
    for m in MBARS:
        half = Z95 * s.se + m * s.bias_per_mbar
        lo, hi = s.estimate - half, s.estimate + half
        robust.append({"mbar": f"{m:g}", "ci": f"[{fmt(lo)}, {fmt(hi)}]", "zero": lo <= 0 <= hi})
    breakdown = s.breakdown_mbar
    return {
        "estimate": fmt(s.estimate),
        "se": fmt(s.se),
        "worst": fmt(s.worst_pre_change),
        "significant": s.significant,
        "infinite": breakdown is not None and math.isinf(breakdown),
        "breakdown": None if breakdown is None or math.isinf(breakdown) else f"{breakdown:.2f}",
        "below_one": breakdown is not None and breakdown < 1,
        "robust": robust,
    }
