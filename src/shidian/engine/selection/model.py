"""Check the selection input and build the constraints of the selection MILP.

Variables are the eligible candidates (not excluded, score at or above the minimum); every
constraint is a row ``lower <= sum(coef * x) <= upper`` with a human label, so an infeasible set
can be explained row by row (see ``relax.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shidian.engine.errors import EngineInputError
from shidian.engine.selection.spec import Forced, Quota, SelectionSpec
from shidian.engine.tables import numeric_column, require_columns, unique_ids


@dataclass
class Prepared:
    ids: np.ndarray  # str, all candidates in input order
    score: np.ndarray
    labels: dict[str, np.ndarray]  # attribute -> str stratum label per candidate
    covariates: dict[str, np.ndarray]
    eligible: np.ndarray  # bool
    forced_in: np.ndarray  # bool
    forced_reason: dict[str, str]
    excluded_reason: dict[str, str]

    @property
    def n(self) -> int:
        return len(self.ids)


@dataclass
class Row:
    label: str
    kind: str  # "quota", "balance", "include"
    index: np.ndarray  # positions among the eligible columns
    coef: np.ndarray
    lower: float
    upper: float
    attribute: str = ""
    stratum: str = ""
    eligible_count: int = 0
    population_count: int = 0


def attributes_of(spec: SelectionSpec) -> list[str]:
    seen = list(spec.strata)
    for quota in spec.quotas:
        if quota.attribute not in seen:
            seen.append(quota.attribute)
    return seen


def _labels(frame: pd.DataFrame, column: str) -> np.ndarray:
    raw = frame[column]
    text = raw.astype(str).str.strip()
    blank = raw.isna() | text.eq("") | text.eq("nan")
    if blank.any():
        row = int(np.flatnonzero(blank.to_numpy())[0]) + 2
        raise EngineInputError(
            f"Column '{column}', row {row}: the stratum is empty. Fill it in or remove the row.",
            column=column,
            row=row,
            code="empty_stratum",
            params={"column": column, "row": row},
        )
    # Integral numbers read as floats (2.0) are shown as 2.
    if pd.api.types.is_float_dtype(raw):
        text = raw.map(lambda v: str(int(v)) if float(v).is_integer() else str(v))
    return text.to_numpy(dtype=str)


def prepare(frame: pd.DataFrame, spec: SelectionSpec) -> Prepared:
    if spec.count < 1:
        raise EngineInputError(
            f"--count must be at least 1 (got {spec.count}).",
            code="count_too_small",
            params={"count": spec.count},
        )
    require_columns(frame, [spec.id_column, spec.score, *attributes_of(spec), *spec.balance])
    ids = unique_ids(frame, spec.id_column).to_numpy(dtype=str)
    score = numeric_column(frame, spec.score)
    labels = {a: _labels(frame, a) for a in attributes_of(spec)}
    covariates = {c: numeric_column(frame, c) for c in spec.balance}
    position = {value: i for i, value in enumerate(ids)}

    def lookup(items: tuple[Forced, ...], what: str) -> np.ndarray:
        mask = np.zeros(len(ids), dtype=bool)
        for item in items:
            if item.id not in position:
                raise EngineInputError(
                    f"{what}: id '{item.id}' is not among the candidates "
                    f"(column '{spec.id_column}'). Fix the id or remove it.",
                    column=spec.id_column,
                    code="unknown_id",
                    params={"what": what.lstrip("-"), "id": item.id},
                )
            mask[position[item.id]] = True
        return mask

    forced_in = lookup(spec.include, "--include")
    excluded = lookup(spec.exclude, "--exclude")
    both = forced_in & excluded
    if both.any():
        raise EngineInputError(
            f"Unit '{ids[both][0]}' is both forced in (--include) and out (--exclude): "
            "remove it from one of the two files.",
            code="forced_both",
            params={"id": str(ids[both][0])},
        )
    eligible = ~excluded
    if spec.min_score is not None:
        low = forced_in & (score < spec.min_score)
        if low.any():
            i = int(np.flatnonzero(low)[0])
            raise EngineInputError(
                f"Unit '{ids[i]}' is forced in but its score {score[i]:g} is below "
                f"--min-score {spec.min_score:g}: remove it from --include or lower --min-score.",
                code="forced_below_min",
                params={"id": str(ids[i]), "score": float(score[i]), "min_score": spec.min_score},
            )
        eligible &= score >= spec.min_score
    n_eligible = int(eligible.sum())
    if n_eligible < spec.count:
        why = f" with a score of at least {spec.min_score:g}" if spec.min_score is not None else ""
        raise EngineInputError(
            f"--count {spec.count} cannot be filled: only {n_eligible} candidate(s){why} are not "
            "excluded. Lower --count or --min-score, or shorten the exclude list.",
            code="not_enough_eligible",
            params={"count": spec.count, "eligible": n_eligible, "min_score": spec.min_score},
        )
    if int(forced_in.sum()) > spec.count:
        raise EngineInputError(
            f"{int(forced_in.sum())} units are forced in but --count is {spec.count}: "
            "raise --count or shorten the include list.",
            code="too_many_forced",
            params={"forced": int(forced_in.sum()), "count": spec.count},
        )
    return Prepared(
        ids=ids,
        score=score,
        labels=labels,
        covariates=covariates,
        eligible=eligible,
        forced_in=forced_in,
        forced_reason={f.id: f.reason for f in spec.include},
        excluded_reason={f.id: f.reason for f in spec.exclude},
    )


def quota_bounds(prep: Prepared, spec: SelectionSpec) -> dict[tuple[str, str], Quota]:
    """Bounds per (attribute, stratum): proportional ones first, explicit quotas override."""
    bounds: dict[tuple[str, str], Quota] = {}
    k = spec.count
    if spec.proportional:
        for attribute in spec.strata:
            values, counts = np.unique(prep.labels[attribute], return_counts=True)
            for value, count in zip(values, counts, strict=True):
                share = count / prep.n
                low = max(0, math.floor(k * (share - spec.tolerance) + 1e-9))
                high = min(k, math.ceil(k * (share + spec.tolerance) - 1e-9))
                bounds[(attribute, str(value))] = Quota(
                    attribute, str(value), low, high, source="proportional"
                )
    for quota in spec.quotas:
        present = prep.labels[quota.attribute]
        if not (present == quota.stratum).any():
            raise EngineInputError(
                f"Quota for {quota.attribute} '{quota.stratum}': no candidate has this value in "
                f"column '{quota.attribute}'. Fix the spelling or remove the quota.",
                code="quota_unknown_stratum",
                params={"attribute": quota.attribute, "stratum": quota.stratum},
            )
        if quota.min is not None and quota.max is not None and quota.min > quota.max:
            raise EngineInputError(
                f"Quota for {quota.attribute} '{quota.stratum}': min {quota.min} is above "
                f"max {quota.max}.",
                code="quota_min_above_max",
                params={
                    "attribute": quota.attribute,
                    "stratum": quota.stratum,
                    "min": quota.min,
                    "max": quota.max,
                },
            )
        if quota.min is not None and quota.min > k:
            raise EngineInputError(
                f"Quota for {quota.attribute} '{quota.stratum}': min {quota.min} is above "
                f"--count {k}. Lower the minimum or raise --count.",
                code="quota_min_above_count",
                params={
                    "attribute": quota.attribute,
                    "stratum": quota.stratum,
                    "min": quota.min,
                    "count": k,
                },
            )
        bounds[(quota.attribute, quota.stratum)] = quota
    return bounds


def build_rows(prep: Prepared, spec: SelectionSpec) -> list[Row]:
    columns = np.flatnonzero(prep.eligible)
    rows: list[Row] = []
    for (attribute, stratum), quota in sorted(quota_bounds(prep, spec).items()):
        lower = 0 if quota.min is None else quota.min
        upper = spec.count if quota.max is None else quota.max
        in_stratum_all = prep.labels[attribute] == stratum
        in_stratum = in_stratum_all[columns]
        if lower <= 0 and upper >= spec.count:
            continue
        rows.append(
            Row(
                label=f"{attribute} {stratum}",
                kind="quota",
                index=np.flatnonzero(in_stratum),
                coef=np.ones(int(in_stratum.sum())),
                lower=lower,
                upper=upper,
                attribute=attribute,
                stratum=stratum,
                eligible_count=int(in_stratum.sum()),
                population_count=int(in_stratum_all.sum()),
            )
        )
    for name, values in prep.covariates.items():
        mean, sd = float(values.mean()), float(values.std(ddof=1)) if prep.n > 1 else 0.0
        if not sd > 0:
            continue
        limit = spec.max_smd * spec.count
        rows.append(
            Row(
                label=f"balance of {name}",
                kind="balance",
                index=np.arange(len(columns)),
                coef=(values[columns] - mean) / sd,
                lower=-limit,
                upper=limit,
                attribute=name,
            )
        )
    return rows
