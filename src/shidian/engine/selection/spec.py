"""Typed inputs and results of representative selection."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Quota:
    """Bounds on the number of pilots in one stratum of one attribute (None: no bound)."""

    attribute: str
    stratum: str
    min: int | None = None
    max: int | None = None
    source: str = "quota file"


@dataclass(frozen=True)
class Forced:
    """A unit forced in or out of the selection, with the reason recorded in the report."""

    id: str
    reason: str = ""


@dataclass(frozen=True)
class SelectionSpec:
    count: int
    score: str
    id_column: str
    strata: tuple[str, ...] = ()
    proportional: bool = False
    tolerance: float = 0.0  # share points either side of the population share (0.02 = 2 points)
    quotas: tuple[Quota, ...] = ()
    min_score: float | None = None
    include: tuple[Forced, ...] = ()
    exclude: tuple[Forced, ...] = ()
    balance: tuple[str, ...] = ()
    max_smd: float = 0.1
    batches: tuple[int, ...] = ()
    balanced_batches: bool = False
    time_limit: float = 60.0
    seed: int = 0


@dataclass(frozen=True)
class StratumShare:
    attribute: str
    stratum: str
    population: int
    population_share: float
    pilots: int
    pilots_share: float
    topk: int
    topk_share: float
    deviation: float  # pilots_share - population_share
    topk_deviation: float
    min: int | None
    max: int | None


@dataclass(frozen=True)
class CovariateBalance:
    covariate: str
    population_mean: float
    population_sd: float
    pilots_mean: float
    topk_mean: float
    pilots_smd: float
    topk_smd: float


@dataclass(frozen=True)
class Price:
    """Price of representativeness: total score given up against plain top-K."""

    selection_total: float
    topk_total: float
    difference: float
    relative: float  # difference / topk_total (0 when topk_total is 0)


@dataclass(frozen=True)
class BatchShare:
    batch: int
    size: int
    mean_score: float
    max_abs_deviation: float  # largest |batch share - population share| over all strata


@dataclass(frozen=True)
class SelectionResult:
    selected: pd.DataFrame  # id, rank, score, batch, forced reason, strata columns
    status: str  # "optimal" or "time_limit"
    optimal: bool
    gap: float | None
    objective: float
    bound: float | None
    n_candidates: int
    n_eligible: int
    n_variables: int
    n_constraints: int
    solve_seconds: float
    shares: list[StratumShare] = field(default_factory=list)
    largest_deviation: StratumShare | None = None
    price: Price | None = None
    balance: list[CovariateBalance] = field(default_factory=list)
    batches: list[BatchShare] = field(default_factory=list)
    forced_in: list[Forced] = field(default_factory=list)
    forced_out: list[Forced] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)
