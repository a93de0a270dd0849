"""Per-unit aggregation of expert scores, disagreement flags and the final ranking."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from shidian.engine.errors import EngineInputError
from shidian.engine.reconcile.agreement import ICCResult, icc_oneway, icc_twoway, kendall_w

METHODS = ("mean", "trimmed", "median")


@dataclass
class ReconcileResult:
    table: pd.DataFrame  # one row per unit, ranked
    method: str
    trim: float
    units: int
    experts: int
    ratings: int
    design: str  # "crossed" (every expert scored every unit) or "nested"
    icc: dict[str, ICCResult]
    kendall_w: float | None
    kendall_chi2: float | None
    kendall_p: float | None
    max_range: float
    flagged: list[str]
    weights: dict[str, float]
    notes: list[str] = field(default_factory=list)


def _aggregate(values: np.ndarray, method: str, trim: float) -> float:
    if method == "mean":
        return float(values.mean())
    if method == "median":
        return float(np.median(values))
    return float(stats.trim_mean(values, trim))


def reconcile_scores(
    scores: pd.DataFrame,
    *,
    unit: str = "unit",
    expert: str = "expert",
    score: str = "score",
    method: str = "mean",
    trim: float = 0.2,
    max_range: float = 10.0,
    self_scores: pd.Series | None = None,
    self_weight: float = 0.0,
) -> ReconcileResult:
    """Reconcile a long table of expert scores (one row per unit and expert).

    ``self_scores`` (indexed by unit id) combine with the expert score as
    ``final = self_weight * self + (1 - self_weight) * expert``; both must be on the same scale.
    """
    from shidian.engine.tables import numeric_column, require_columns

    if method not in METHODS:
        raise EngineInputError(f"--method must be one of {', '.join(METHODS)} (got '{method}').")
    if not 0 <= trim < 0.5:
        raise EngineInputError(f"--trim must be at least 0 and below 0.5 (got {trim}).")
    if not 0 <= self_weight <= 1:
        raise EngineInputError(f"The self-assessment weight must be in [0, 1] (got {self_weight}).")
    if max_range < 0:
        raise EngineInputError("--max-range must not be negative.")
    require_columns(scores, [unit, expert, score], source="Scores")
    values = numeric_column(scores, score)
    units = scores[unit].map(_code)
    experts = scores[expert].map(_code)
    for column, ids in ((unit, units), (expert, experts)):
        blank = ids.eq("")
        if blank.any():
            row = int(np.flatnonzero(blank.to_numpy())[0]) + 2
            raise EngineInputError(
                f"Scores, column '{column}', row {row}: the id is empty.", row=row
            )
    dup = pd.Series(list(zip(units, experts, strict=True))).duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 2
        raise EngineInputError(
            f"Scores, row {row}: expert '{experts.iloc[row - 2]}' scored unit "
            f"'{units.iloc[row - 2]}' twice; keep one row per unit and expert.",
            row=row,
        )
    frame = pd.DataFrame({"unit": units, "expert": experts, "score": values})
    order = list(dict.fromkeys(frame["unit"]))
    grouped = {u: g["score"].to_numpy() for u, g in frame.groupby("unit", sort=False)}
    if len(order) < 2:
        raise EngineInputError("Scores: agreement needs at least 2 units scored.")
    single = [u for u in order if len(grouped[u]) < 2]
    if len(single) == len(order):
        raise EngineInputError(
            "Scores: every unit has a single expert score; agreement needs 2 or more per unit."
        )
    notes: list[str] = []
    if single:
        notes.append(
            f"{len(single)} unit(s) scored by one expert only (e.g. {single[0]}): "
            "left out of the agreement figures."
        )
    wide = frame.pivot(index="unit", columns="expert", values="score").loc[order]
    crossed = not wide.isna().any().any()
    icc: dict[str, ICCResult]
    w = chi2 = p = None
    if crossed:
        design = "crossed"
        if float(np.ptp(wide.to_numpy())) == 0:
            raise EngineInputError("Scores: every score is the same; agreement is undefined.")
        icc = icc_twoway(wide.to_numpy())
        w, chi2, p = kendall_w(wide.to_numpy())
    else:
        design = "nested"
        groups = [grouped[u] for u in order if len(grouped[u]) >= 2]
        if len(groups) < 2:
            raise EngineInputError("Scores: agreement needs at least 2 units with 2+ scores.")
        if float(np.ptp(np.concatenate(groups))) == 0:
            raise EngineInputError("Scores: every score is the same; agreement is undefined.")
        icc = icc_oneway(groups)
        notes.append(
            "Each unit was scored by its own set of experts, so ICC(2,1)/ICC(2,k) and Kendall's W "
            "(which need every expert to score every unit) are not defined; ICC(1,1)/ICC(1,k) "
            "(Shrout & Fleiss case 1) measure the agreement instead."
        )
    rows = []
    for u in order:
        v = grouped[u]
        rows.append(
            {
                "unit": u,
                "n_experts": int(v.size),
                "expert_score": _aggregate(v, method, trim),
                "mean": float(v.mean()),
                "median": float(np.median(v)),
                "sd": float(v.std(ddof=1)) if v.size > 1 else 0.0,
                "min": float(v.min()),
                "max": float(v.max()),
                "range": float(np.ptp(v)),
            }
        )
    table = pd.DataFrame(rows)
    table["flagged"] = table["range"] > max_range
    if self_scores is not None:
        self_scores = self_scores.copy()
        self_scores.index = self_scores.index.map(_code)
        missing = [u for u in order if u not in self_scores.index]
        if missing:
            raise EngineInputError(
                f"Self-assessment: unit '{missing[0]}' has expert scores but no self-assessment "
                f"score ({len(missing)} unit(s) in all); add them or drop --self."
            )
        table["self_score"] = self_scores.loc[order].to_numpy(dtype=float)
        table["final_score"] = (
            self_weight * table["self_score"] + (1 - self_weight) * table["expert_score"]
        )
    else:
        self_weight = 0.0
        table["final_score"] = table["expert_score"]
    table = table.sort_values(["final_score", "expert_score"], ascending=False, kind="stable")
    table.insert(0, "rank", table["final_score"].rank(ascending=False, method="min").astype(int))
    return ReconcileResult(
        table=table.reset_index(drop=True),
        method=method,
        trim=trim if method == "trimmed" else 0.0,
        units=len(order),
        experts=int(frame["expert"].nunique()),
        ratings=len(frame),
        design=design,
        icc=icc,
        kendall_w=w,
        kendall_chi2=chi2,
        kendall_p=p,
        max_range=max_range,
        flagged=table.loc[table["flagged"], "unit"].tolist(),
        weights={"self": self_weight, "expert": 1 - self_weight},
        notes=notes,
    )


def _code(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return (
        ""
        if value is None or (isinstance(value, float) and np.isnan(value))
        else str(value).strip()
    )
