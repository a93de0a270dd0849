"""Typed inputs and results of matched-control selection."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class MatchSpec:
    treated: str
    covariates: tuple[str, ...]
    id_column: str
    exact: tuple[str, ...] = ()
    ratio: int = 1
    caliper: float | None = None  # in SDs of the logit of the propensity score
    method: str = "propensity"  # or "mahalanobis"
    optimal: bool = False
    replace: bool = False
    order: str = "largest"  # greedy order of treated units: largest, smallest, random, data
    seed: int = 0
    edges_per_treated: int = 50  # candidate controls per treated unit for large --optimal
    smd_denominator: str = "treated"  # SD of the SMD: "treated" (MatchIt/cobalt ATT) or "pooled"


@dataclass(frozen=True)
class BalanceRow:
    covariate: str  # numeric column, or "column=level" for a categorical indicator
    treated_mean_before: float
    control_mean_before: float
    smd_before: float
    variance_ratio_before: float | None  # None when the control variance is 0
    ecdf_max_before: float
    treated_mean_after: float
    control_mean_after: float
    smd_after: float
    variance_ratio_after: float | None
    ecdf_max_after: float
    balanced: bool  # |SMD after| < 0.1
    denominator: str = "treated"  # which SD the SMDs divide by: "treated" or "pooled"
    denominator_sd: float = 0.0  # that SD (unmatched sample), the same before and after


@dataclass(frozen=True)
class Pair:
    pair_id: str
    treated_id: str
    control_id: str
    distance: float
    weight: float  # the control's weight in this pair (1 / matches of the treated unit)


@dataclass(frozen=True)
class MatchResult:
    pairs: list[Pair]
    matched: pd.DataFrame  # long format: pair_id, role, id, weight, distance, input columns
    balance: list[BalanceRow]
    unmatched_treated: list[str]
    n_treated: int
    n_controls: int
    n_matched_treated: int
    n_controls_used: int
    n_controls_discarded: int
    caliper_logit: float | None  # the caliper in logit units (caliper x SD of the logit)
    logit_sd: float | None
    method: str
    optimal: bool
    replace: bool
    ratio: int
    smd_denominator: str = "treated"  # "treated" (the pilots' SD) or "pooled"
    seconds: dict[str, float] = field(default_factory=dict)
