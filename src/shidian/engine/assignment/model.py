"""Inputs and results of expert assignment, and how tables become a problem.

Input format (column names are options of ``shidian assign``):

* units: ``id`` (unit code) and optionally ``path`` (the unit's organisation path).
* experts: ``id``, ``org`` (code of the expert's organisation: at most one expert per organisation
  on a unit) and optionally ``org_path`` (that organisation's path), ``min_load``, ``max_load``.

A path is either Shidian's materialised path (5-digit segments, ``0000100003``; a spreadsheet that
turned it into the number 100003 is padded back) or segments joined by ``/``, ``.`` or ``>``
(``省/市/县/学校``). An expert conflicts with a unit when one path is a prefix of the other: the
unit is the expert's own organisation or lies under it, or the expert works under the unit. When
no paths are given a unit's path is its id and an expert's is their org code, so the rule becomes
"an expert never reviews their own organisation".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from shidian.engine.errors import EngineInputError

_SEPARATORS = re.compile(r"[/.>\\|]")
SEGMENT_WIDTH = 5


def parse_path(value: object) -> tuple[str, ...]:
    """Split an organisation path into segments; see the module docstring for the formats."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        return ()
    if _SEPARATORS.search(text):
        return tuple(s.strip() for s in _SEPARATORS.split(text) if s.strip())
    if text.isdigit():
        width = -(-len(text) // SEGMENT_WIDTH) * SEGMENT_WIDTH
        text = text.zfill(width)
        return tuple(text[i : i + SEGMENT_WIDTH] for i in range(0, width, SEGMENT_WIDTH))
    return (text,)


@dataclass(frozen=True)
class AssignmentProblem:
    """A fully checked problem: arrays aligned with ``unit_ids`` and ``expert_ids``."""

    unit_ids: list[str]
    unit_paths: list[tuple[str, ...]]
    expert_ids: list[str]
    expert_orgs: list[str]
    expert_paths: list[tuple[str, ...]]
    affinity: np.ndarray  # (units, experts) float64
    per_unit: int
    min_load: np.ndarray  # (experts,) int64
    max_load: np.ndarray  # (experts,) int64

    @property
    def total_reviews(self) -> int:
        return len(self.unit_ids) * self.per_unit


@dataclass
class AssignmentResult:
    pairs: pd.DataFrame  # unit, expert, expert_org, affinity
    loads: pd.DataFrame  # expert, org, load, min_load, max_load
    units: int
    experts: int
    per_unit: int
    status: str
    total_affinity: float
    mean_unit_affinity: float
    lowest_unit_affinity: float
    lowest_units: list[str]
    load_min: int
    load_max: int
    load_spread: int
    load_std: float
    eligible_pairs: int
    solve_seconds: float
    notes: list[str] = field(default_factory=list)
    bound: float | None = None  # certified upper bound on the LP relaxation (dual prices)
    gap: float | None = None  # (bound - total_affinity) / bound; 0 = proven optimal


def _ids(frame: pd.DataFrame, column: str, what: str) -> list[str]:
    from shidian.engine.tables import unique_ids

    if column not in frame.columns:
        raise EngineInputError(
            f"{what}: missing id column '{column}'. Columns present: "
            f"{', '.join(map(str, frame.columns))}.",
            column=column,
        )
    return [_code(v) for v in unique_ids(frame, column)]


def _code(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _load_column(frame: pd.DataFrame, column: str) -> np.ndarray | None:
    from shidian.engine.tables import numeric_column

    if column not in frame.columns:
        return None
    values = numeric_column(frame, column, allow_missing=True)
    bad = ~np.isnan(values) & ((values < 0) | (values != np.round(values)))
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 2
        raise EngineInputError(
            f"Experts, column '{column}', row {row}: a load must be a whole number >= 0.",
            column=column,
            row=row,
        )
    return values


def build_problem(
    units: pd.DataFrame,
    experts: pd.DataFrame,
    *,
    per_unit: int,
    unit_id: str = "id",
    unit_path: str = "path",
    expert_id: str = "id",
    expert_org: str = "org",
    expert_path: str = "org_path",
    min_load: int | None = None,
    max_load: int | None = None,
    affinity: pd.DataFrame | None = None,
    match: list[tuple[str, str]] | None = None,
) -> AssignmentProblem:
    """Check the tables and build the problem. Loads default to balanced: floor/ceil of n*r/m.

    ``affinity`` is a long table (expert, unit, affinity); ``match`` pairs a unit column with an
    expert column (several values separated by ; 、 | or /): each match adds 1 to the affinity.
    """
    if per_unit < 1:
        raise EngineInputError("--per-unit must be at least 1 expert per unit.")
    u_ids = _ids(units, unit_id, "Units")
    e_ids = _ids(experts, expert_id, "Experts")
    if expert_org not in experts.columns:
        raise EngineInputError(
            f"Experts: missing column '{expert_org}' (the code of each expert's organisation).",
            column=expert_org,
        )
    orgs = [_code(v) for v in experts[expert_org]]
    blank = [i for i, o in enumerate(orgs) if o in {"", "nan", "None"}]
    if blank:
        raise EngineInputError(
            f"Experts, column '{expert_org}', row {blank[0] + 2}: the organisation is empty; "
            "every expert needs the code of their organisation.",
            column=expert_org,
            row=blank[0] + 2,
        )
    has_upath, has_epath = unit_path in units.columns, expert_path in experts.columns
    if has_upath != has_epath:
        given, missing = ("units", "experts") if has_upath else ("experts", "units")
        raise EngineInputError(
            f"Organisation paths are given for the {given} but not the {missing}: give both "
            f"('{unit_path}' in units, '{expert_path}' in experts) or neither."
        )
    if has_upath:
        u_paths = [parse_path(v) for v in units[unit_path]]
        e_paths = [parse_path(v) for v in experts[expert_path]]
        for what, paths, col in (("Units", u_paths, unit_path), ("Experts", e_paths, expert_path)):
            empty = [i for i, p in enumerate(paths) if not p]
            if empty:
                raise EngineInputError(
                    f"{what}, column '{col}', row {empty[0] + 2}: the path is empty.",
                    column=col,
                    row=empty[0] + 2,
                )
    else:
        u_paths = [(u,) for u in u_ids]
        e_paths = [(o,) for o in orgs]
    n, m = len(u_ids), len(e_ids)
    aff = np.zeros((n, m))
    if affinity is not None:
        aff += _affinity_table(affinity, u_ids, e_ids)
    for unit_col, expert_col in match or []:
        aff += _match_matrix(units, experts, unit_col, expert_col)
    total = n * per_unit
    lo_default = total // m if min_load is None else min_load
    hi_default = -(-total // m) if max_load is None else max_load
    if min_load is not None and max_load is None:
        hi_default = max(hi_default, min_load)
    if max_load is not None and min_load is None:
        lo_default = min(lo_default, max_load)
    lo = np.full(m, lo_default, dtype=np.int64)
    hi = np.full(m, hi_default, dtype=np.int64)
    for column, target in (("min_load", lo), ("max_load", hi)):
        values = _load_column(experts, column)
        if values is not None:
            mask = ~np.isnan(values)
            target[mask] = values[mask].astype(np.int64)
    bad = np.flatnonzero(lo > hi)
    if bad.size:
        e = bad[0]
        raise EngineInputError(
            f"Expert {e_ids[e]}: minimum load {lo[e]} is above the maximum load {hi[e]}."
        )
    return AssignmentProblem(u_ids, u_paths, e_ids, orgs, e_paths, aff, per_unit, lo, hi)


def _affinity_table(table: pd.DataFrame, u_ids: list[str], e_ids: list[str]) -> np.ndarray:
    from shidian.engine.tables import numeric_column, require_columns

    require_columns(table, ["expert", "unit", "affinity"], source="Affinity file")
    values = numeric_column(table, "affinity")
    u_index = {u: i for i, u in enumerate(u_ids)}
    e_index = {e: j for j, e in enumerate(e_ids)}
    out = np.zeros((len(u_ids), len(e_ids)))
    for row, (e, u, v) in enumerate(zip(table["expert"], table["unit"], values, strict=True)):
        e, u = _code(e), _code(u)
        if e not in e_index or u not in u_index:
            unknown = f"expert '{e}'" if e not in e_index else f"unit '{u}'"
            raise EngineInputError(
                f"Affinity file, row {row + 2}: {unknown} is not in the input.", row=row + 2
            )
        out[u_index[u], e_index[e]] = v
    return out


_LIST_SPLIT = re.compile(r"[;；、|/,，]")


def _match_matrix(
    units: pd.DataFrame, experts: pd.DataFrame, unit_col: str, expert_col: str
) -> np.ndarray:
    from shidian.engine.tables import require_columns

    require_columns(units, [unit_col], source="Units (--match)")
    require_columns(experts, [expert_col], source="Experts (--match)")
    u_vals = [_code(v) for v in units[unit_col]]
    e_sets = [
        {s.strip() for s in _LIST_SPLIT.split(_code(v)) if s.strip()} for v in experts[expert_col]
    ]
    categories = sorted(set(u_vals))
    index = {c: k for k, c in enumerate(categories)}
    unit_onehot = np.zeros((len(u_vals), len(categories)))
    unit_onehot[np.arange(len(u_vals)), [index[v] for v in u_vals]] = 1.0
    expert_has = np.zeros((len(categories), len(e_sets)))
    for j, values in enumerate(e_sets):
        for v in values & set(index):
            expert_has[index[v], j] = 1.0
    return unit_onehot @ expert_has
