"""Read the matching input: treatment indicator, covariate matrix, exact-matching strata."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shidian.engine.errors import EngineInputError
from shidian.engine.tables import numeric_column, require_columns

TRUE = {"1", "1.0", "true", "yes", "y", "t", "是", "试点", "treated"}
FALSE = {"0", "0.0", "false", "no", "n", "f", "否", "对照", "control"}


@dataclass
class Design:
    treated: np.ndarray  # bool
    matrix: np.ndarray  # float, one column per numeric covariate or categorical indicator
    names: list[str]
    numeric: list[bool]  # False for indicator columns of categorical covariates
    strata: np.ndarray  # int code per unit of the exact-matching attributes (0 when none)


def treatment_indicator(frame: pd.DataFrame, column: str) -> np.ndarray:
    require_columns(frame, [column])
    text = frame[column].astype(str).str.strip().str.lower()
    is_true, is_false = text.isin(TRUE), text.isin(FALSE)
    bad = ~(is_true | is_false)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise EngineInputError(
            f"Column '{column}', row {row + 2}: '{frame[column].iloc[row]}' is not a treatment "
            "flag; use 1 for treated (pilot) and 0 for control.",
            column=column,
            row=row + 2,
        )
    treated = is_true.to_numpy()
    if treated.all() or not treated.any():
        missing = "control" if treated.all() else "treated"
        raise EngineInputError(
            f"Column '{column}' has no {missing} units (value {0 if treated.all() else 1}); "
            "matching needs both."
        )
    return treated


def _is_categorical(raw: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        return False
    text = raw.astype(str).str.strip()
    filled = text[(text != "") & raw.notna()]
    parsed = pd.to_numeric(filled, errors="coerce")
    # Mostly numbers with some text is a numeric column with typos, not a category.
    return bool(parsed.notna().mean() < 0.5) if len(filled) else False


def covariate_design(frame: pd.DataFrame, covariates: tuple[str, ...]) -> tuple:
    require_columns(frame, covariates)
    columns, names, numeric = [], [], []
    for column in covariates:
        raw = frame[column]
        if _is_categorical(raw):
            text = raw.astype(str).str.strip()
            blank = raw.isna() | text.eq("")
            if blank.any():
                row = int(np.flatnonzero(blank.to_numpy())[0]) + 2
                raise EngineInputError(
                    f"Column '{column}', row {row}: the value is empty.", column=column, row=row
                )
            for level in sorted(text.unique()):
                columns.append((text == level).to_numpy(dtype=float))
                names.append(f"{column}={level}")
                numeric.append(False)
        else:
            fast = pd.api.types.is_numeric_dtype(raw) and not raw.isna().any()
            # Columns already read as numbers skip the per-cell text check.
            columns.append(raw.to_numpy(dtype=float) if fast else numeric_column(frame, column))
            names.append(column)
            numeric.append(True)
    return np.column_stack(columns), names, numeric


def exact_strata(frame: pd.DataFrame, exact: tuple[str, ...]) -> np.ndarray:
    if not exact:
        return np.zeros(len(frame), dtype=np.int64)
    require_columns(frame, exact)
    keys = frame[list(exact)].astype(str).apply(lambda s: s.str.strip())
    for column in exact:
        blank = keys[column].eq("") | frame[column].isna()
        if blank.any():
            row = int(np.flatnonzero(blank.to_numpy())[0]) + 2
            raise EngineInputError(
                f"Column '{column}', row {row}: the exact-matching value is empty.",
                column=column,
                row=row,
            )
    codes, _ = pd.MultiIndex.from_frame(keys).factorize()
    return np.asarray(codes, dtype=np.int64)


def build_design(
    frame: pd.DataFrame, treated: str, covariates: tuple[str, ...], exact: tuple[str, ...]
) -> Design:
    if not covariates:
        raise EngineInputError("--covariates: name at least one covariate column.")
    if treated in covariates:
        raise EngineInputError(f"Column '{treated}' is the treatment; remove it from --covariates.")
    indicator = treatment_indicator(frame, treated)
    matrix, names, numeric = covariate_design(frame, covariates)
    return Design(indicator, matrix, names, numeric, exact_strata(frame, exact))
