"""Preparing and checking a difference-in-differences panel.

Treatment can be given three ways (``treated`` is always a column):

* ``treated`` constant within each unit (0/1: ever treated) plus ``post`` (0/1 per row): the unit
  is treated from its first row with post = 1;
* ``treated`` constant within unit plus ``cohort``: the period in which the unit entered (blank or
  0 for units never treated);
* ``treated`` varying within a unit: it is the treatment status itself (must never switch off).

Periods are mapped to 1..T in sorted order (labels are kept for the report). A unit observed in a
single period makes the data a repeated cross-section (each unit seen once, e.g. houses sold).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from shidian.engine.errors import EngineInputError
from shidian.engine.tables import numeric_column, require_columns


@dataclass
class Panel:
    data: pd.DataFrame  # uid (int), t (1..T), y, d, g (0 = never), treated (0/1), cl, covariates
    covariates: list[str]
    period_labels: list[object]
    units: int
    periods: int
    treated_units: int
    control_units: int
    never_treated: int
    cohorts: list[int]  # ordinal first-treated periods present
    clusters: int
    cross_section: bool
    balanced: bool
    notes: list[str] = field(default_factory=list)
    # Machine codes of the notes (the web translates by code): did_already_treated,
    # did_late_cohort, did_no_never_treated; params in note_params[code].
    note_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    """numeric_column, with a fast path for columns that are already numbers without gaps."""
    col = frame[column]
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        values = col.to_numpy(dtype=float)
        if np.isfinite(values).all():
            return values
    return numeric_column(frame, column)


def _binary(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = _numeric(frame, column)
    bad = ~np.isin(values, [0.0, 1.0])
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 2
        raise EngineInputError(
            f"Column '{column}', row {row}: '{frame[column].iloc[row - 2]}' must be 0 or 1.",
            column=column,
            row=row,
        )
    return values.astype(np.int8)


def _period_codes(raw: pd.Series, column: str) -> tuple[np.ndarray, list[object]]:
    blank = raw.isna() | raw.astype(str).str.strip().eq("")
    if blank.any():
        row = int(np.flatnonzero(blank.to_numpy())[0]) + 2
        raise EngineInputError(f"Column '{column}', row {row}: the period is empty.", row=row)
    numeric = pd.to_numeric(raw, errors="coerce")
    keys = numeric if numeric.notna().all() else raw.astype(str).str.strip()
    labels = sorted(keys.unique().tolist())
    index = {v: k + 1 for k, v in enumerate(labels)}
    return keys.map(index).to_numpy(dtype=np.int64), labels


def prepare_panel(
    frame: pd.DataFrame,
    *,
    unit: str,
    period: str,
    outcome: str,
    treated: str,
    post: str | None = None,
    cohort: str | None = None,
    covariates: list[str] | None = None,
    cluster: str | None = None,
) -> Panel:
    """Check the table and return the panel the estimators use; raise with a reason if none can."""
    covariates = covariates or []
    if post and cohort:
        raise EngineInputError("Give either --post or --cohort, not both.")
    needed = [unit, period, outcome, treated, *covariates]
    needed += [c for c in (post, cohort, cluster) if c]
    require_columns(frame, needed)
    notes: list[str] = []
    raw_ids = frame[unit]
    integer_ids = pd.api.types.is_integer_dtype(raw_ids)  # skip 500k string conversions
    if isinstance(raw_ids.dtype, pd.CategoricalDtype):  # the CLI reads ids as categories
        ids = raw_ids.cat.rename_categories(raw_ids.cat.categories.astype(str).str.strip())
        codes = ids.cat.codes.to_numpy()
        blank_ids = pd.Series(
            (codes < 0) | np.isin(codes, np.flatnonzero(ids.cat.categories == ""))
        )
        key: pd.Series | np.ndarray = codes
    else:
        ids = raw_ids if integer_ids else raw_ids.astype(str).str.strip()
        blank_ids = raw_ids.isna() if integer_ids else (raw_ids.isna() | ids.eq(""))
        key = ids
    if blank_ids.any():
        row = int(np.flatnonzero(blank_ids.to_numpy())[0]) + 2
        raise EngineInputError(f"Column '{unit}', row {row}: the unit id is empty.", row=row)
    t, labels = _period_codes(frame[period], period)
    uid = pd.factorize(key)[0].astype(np.int64) + 1
    dup = pd.Series(uid * (len(labels) + 1) + t).duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + 2
        raise EngineInputError(
            f"Row {row}: unit '{ids.iloc[row - 2]}' appears twice in period "
            f"'{frame[period].iloc[row - 2]}'; keep one row per unit and period.",
            row=row,
        )
    y = _numeric(frame, outcome)
    data = pd.DataFrame({"uid": uid, "t": t, "y": y})
    for c in covariates:
        data[c] = _numeric(frame, c)
    data["cl"] = pd.factorize(frame[cluster].astype(str))[0] if cluster else uid
    status = _binary(frame, treated)
    data["g"] = _cohorts(frame, data, status, treated, post, cohort, labels)
    note_params: dict[str, dict[str, Any]] = {}
    if cohort:
        # A cohort entering after the last period is never treated within the panel (as R's
        # did): its units count as comparison units; say so.
        late = pd.Series((status == 1) & (data["g"].to_numpy() == 0)).groupby(uid).any()
        if late.any():
            n_late = int(late.sum())
            note_params["did_late_cohort"] = {"units": n_late}
            notes.append(
                f"{n_late} treated unit(s) enter after the last period ({labels[-1]}): they are "
                "treated as never treated (as R's did), i.e. as comparison units."
            )
    data["treated"] = (data["g"] > 0).astype(np.int8)
    data["d"] = ((data["g"] > 0) & (data["t"] >= data["g"])).astype(np.int8)
    _reject_impossible(data, labels, period, outcome)
    always = data.loc[(data["g"] > 0) & (data["g"] <= data.groupby("uid")["t"].transform("min"))]
    cross_section = bool(data.groupby("uid").size().max() == 1)
    if not cross_section and len(always):
        n_always = always["uid"].nunique()
        data = data[~data["uid"].isin(always["uid"])].reset_index(drop=True)
        note_params["did_already_treated"] = {"units": int(n_always)}
        notes.append(
            f"{n_always} unit(s) were already treated in their first observed period; with no "
            "'before' they cannot be compared and are left out."
        )
        if not (data["g"] > 0).any():
            raise EngineInputError(
                "Every treated unit is already treated in its first observed period: with no "
                "period before the start there is no change to compare. Add earlier periods.",
                code="did_no_pre_period",
            )
        _reject_impossible(data, labels, period, outcome)
    by_unit = data.groupby("uid")["y"]
    if not cross_section and float((by_unit.max() - by_unit.min()).max()) == 0:
        raise EngineInputError(
            f"The outcome '{outcome}' never changes over time within any unit: a "
            "difference-in-differences compares changes, and there are none.",
            code="did_outcome_never_changes",
        )
    units = data.groupby("uid")
    sizes = units.size()
    first_g = units["g"].first()
    cohorts = sorted(int(g) for g in first_g.unique() if g > 0)
    never = int((first_g == 0).sum())
    if never == 0 and len(cohorts) == 1:
        raise EngineInputError(
            "Every unit is treated, all from the same period, and no unit is never treated: there "
            "is no control group to compare with. Add units that were never treated.",
            code="did_no_controls",
        )
    if never == 0:
        note_params["did_no_never_treated"] = {}
        notes.append(
            "No unit is never treated: comparisons use units not yet treated, and the TWFE "
            "estimate leans on early-treated units as controls for late ones."
        )
    return Panel(
        data=data,
        covariates=covariates,
        period_labels=labels,
        units=int(sizes.size),
        periods=int(data["t"].nunique()),
        treated_units=int((first_g > 0).sum()),
        control_units=never,
        never_treated=never,
        cohorts=cohorts,
        clusters=int(data["cl"].nunique()),
        cross_section=cross_section,
        balanced=bool(sizes.nunique() == 1 and sizes.iloc[0] == data["t"].nunique()),
        notes=notes,
        note_params=note_params,
    )


def _cohorts(frame, data, status, treated, post, cohort, labels) -> np.ndarray:
    """First treated period (ordinal) of each row's unit; 0 when never treated."""
    varies = pd.Series(status).groupby(data["uid"].to_numpy()).nunique().max() > 1
    if varies:
        if post or cohort:
            raise EngineInputError(
                f"Column '{treated}' changes within a unit, so it already says when each unit is "
                "treated: drop --post/--cohort, or give a 0/1 'ever treated' column instead."
            )
        status_s = pd.Series(status, index=data.index)
        order = data.sort_values(["uid", "t"]).index
        switched_off = status_s.loc[order].groupby(data.loc[order, "uid"]).diff().fillna(0).lt(0)
        if switched_off.any():
            row = int(switched_off[switched_off].index[0]) + 2
            raise EngineInputError(
                f"Column '{treated}', row {row}: the treatment switches off; this design needs "
                "treatment that stays on once started (or an 'ever treated' column with --post)."
            )
        first = data["t"].where(status == 1).groupby(data["uid"]).transform("min")
        return first.fillna(0).to_numpy(dtype=np.int64)
    if post:
        post_v = _binary(frame, post)
        if pd.Series(post_v).groupby(data["t"].to_numpy()).nunique().max() == 1:
            # post is a property of the period (the classic 2x2, or repeated cross-sections):
            # every treated unit enters at the first post period, observed then or not.
            post_periods = data["t"][post_v == 1]
            if post_periods.empty:
                raise EngineInputError(f"Column '{post}' is 0 in every row: no period is 'after'.")
            return np.where(status == 1, int(post_periods.min()), 0).astype(np.int64)
        first = data["t"].where((post_v == 1) & (status == 1)).groupby(data["uid"]).transform("min")
        return first.fillna(0).to_numpy(dtype=np.int64)
    if cohort:
        raw = pd.to_numeric(frame[cohort], errors="coerce")
        blank = frame[cohort].isna() | frame[cohort].astype(str).str.strip().eq("")
        text = raw.isna() & ~blank
        if text.any():
            row = int(np.flatnonzero(text.to_numpy())[0]) + 2
            raise EngineInputError(
                f"Column '{cohort}', row {row}: '{frame[cohort].iloc[row - 2]}' is not a period.",
                row=row,
            )
        numeric_labels = np.asarray([float(v) for v in labels]) if _all_numeric(labels) else None
        if numeric_labels is None:
            raise EngineInputError(
                f"--cohort needs numeric periods (years); '{labels[0]}' is not a number."
            )
        values = raw.fillna(0).to_numpy(dtype=float)
        g = np.searchsorted(numeric_labels, values, side="left") + 1
        g = np.where((status == 1) & (values > 0) & (g <= len(labels)), g, 0)
        treated_no_cohort = (status == 1) & ~(values > 0)
        if treated_no_cohort.any():
            row = int(np.flatnonzero(treated_no_cohort)[0]) + 2
            raise EngineInputError(
                f"Column '{cohort}', row {row}: a treated unit needs the period it entered.",
                row=row,
            )
        per_unit = pd.Series(g).groupby(data["uid"].to_numpy()).nunique()
        if per_unit.max() > 1:
            raise EngineInputError(f"Column '{cohort}' must be the same in every row of a unit.")
        return g.astype(np.int64)
    raise EngineInputError(
        f"Column '{treated}' is constant within each unit: say when treatment starts with "
        "--post COL (0/1 per row) or --cohort COL (the period a unit entered)."
    )


def _all_numeric(labels: list[object]) -> bool:
    return all(isinstance(v, int | float | np.integer | np.floating) for v in labels)


def _reject_impossible(data: pd.DataFrame, labels, period: str, outcome: str) -> None:
    if data["t"].nunique() < 2:
        only = labels[int(data["t"].iloc[0]) - 1] if len(data) else "none"
        raise EngineInputError(
            f"Only one period ({period} = {only}): a difference-in-differences needs a period "
            "before and a period after the treatment starts.",
            code="did_one_period",
            params={"period": str(only)},
        )
    treated = data.groupby("uid")["g"].first()
    if (treated > 0).sum() == 0:
        raise EngineInputError(
            "No unit is ever treated (or every treated unit starts after the last period): "
            "there is no effect to estimate.",
            code="did_no_treated",
        )
    if float(np.ptp(data["y"].to_numpy())) == 0:
        raise EngineInputError(
            f"The outcome '{outcome}' has the same value in every row: there is no change to "
            "compare.",
            code="did_constant_outcome",
        )
    if data["d"].sum() == 0:
        raise EngineInputError(
            "No row is in a treated period: the treatment never starts.", code="did_never_starts"
        )
