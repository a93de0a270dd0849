"""Typed input and result of the grouping engine; the checks that turn bad input into one message.

Items are rows 0..N-1. Groups are 0..K-1 (the command line names them A, B, C...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from shidian.engine.errors import EngineInputError, InfeasibleError

OBJECTIVES = ("diversity", "variance", "kplus")
METHODS = ("auto", "local-maximum", "exchange", "exact")


@dataclass
class GroupingSpec:
    """What to group and under which constraints.

    ``features`` are numeric (N x M); they are standardized (z-scores) unless ``standardize`` is
    False. ``categories`` holds integer codes (N x C), one column per categorical attribute, whose
    counts are balanced across groups (each group within floor/ceil of its share). ``apart`` and
    ``together`` are pairs of item indices. ``fixed`` gives a group index per item, -1 for free.
    ``lead_candidates`` marks the items that may lead a group (exactly one lead per group is then
    chosen among them). ``coords`` are (latitude, longitude) in degrees; with ``max_km`` every
    member must lie within that many km (great-circle) of its group's lead.
    """

    features: np.ndarray
    n_groups: int
    feature_names: list[str] | None = None
    objective: str = "diversity"
    standardize: bool = True
    categories: np.ndarray | None = None
    category_names: list[str] | None = None
    category_levels: list[list[str]] | None = None
    size_min: int | None = None
    size_max: int | None = None
    lead_candidates: np.ndarray | None = None
    apart: list[tuple[int, int]] = field(default_factory=list)
    together: list[tuple[int, int]] = field(default_factory=list)
    coords: np.ndarray | None = None
    max_km: float | None = None
    fixed: np.ndarray | None = None
    seed: int = 0
    method: str = "auto"
    restarts: int | None = None
    partners: int | None = None
    time_limit: float = 60.0
    item_names: list[str] | None = None  # ids used in messages (default: item #1, #2...)

    def item(self, i: int) -> str:
        return f"'{self.item_names[i]}'" if self.item_names is not None else f"#{i + 1}"


@dataclass
class FeatureBalance:
    name: str
    mean: float
    sd: float
    group_means: list[float]
    max_deviation_sd: float


@dataclass
class CategoryBalance:
    name: str
    levels: list[str]
    counts: list[list[int]]  # groups x levels
    lower: list[list[int]]
    upper: list[list[int]]
    holds: bool


@dataclass
class ConstraintCheck:
    name: str
    holds: bool
    detail: str


@dataclass
class GroupingResult:
    labels: np.ndarray  # (N,) group index per item
    leads: np.ndarray  # (K,) item index of each group's lead, -1 without leads
    sizes: list[int]
    objective: str
    value: float  # the objective on the (standardized) features; higher is better
    start_value: float  # the same for the starting partition
    method: str
    restarts: int
    optimal: bool | None  # exact method: proven optimal; heuristics: None
    gap: float | None
    features: list[FeatureBalance]
    categories: list[CategoryBalance]
    constraints: list[ConstraintCheck]
    notes: list[str]

    @property
    def all_constraints_hold(self) -> bool:
        return all(c.holds for c in self.constraints)


@dataclass
class Problem:
    """The validated problem the search works on (derived from a spec)."""

    n: int
    k: int
    size_lo: int
    size_hi: int
    equal_sizes: bool
    x_report: np.ndarray  # features as given (for the report)
    x: np.ndarray  # search space (standardized / k-plus augmented)
    cats: list[np.ndarray]  # integer codes 0..L-1 per attribute
    n_levels: list[int]
    lead_mask: np.ndarray | None
    apart: np.ndarray  # (P, 2)
    together_comp: np.ndarray  # (N,) component id; singletons have unique ids
    fixed: np.ndarray  # (N,) -1 free
    lead_km: np.ndarray | None  # (N, L) km from each item to each possible lead (with max_km)
    max_km: float | None
    lead_cands: np.ndarray | None  # (L,) item indices of the possible leads


def balanced_sizes(n: int, k: int) -> np.ndarray:
    return np.array([n // k + (1 if g < n % k else 0) for g in range(k)], dtype=np.int64)


def category_bounds(level_counts: np.ndarray, sizes: np.ndarray, n: int):
    """Lower/upper count per group and level: floor/ceil of the level's share of each group."""
    share = np.outer(sizes, level_counts) / n
    lo = np.floor(share + 1e-9).astype(np.int64)
    hi = np.ceil(share - 1e-9).astype(np.int64)
    return lo, hi


def validate(spec: GroupingSpec) -> None:
    """Raise EngineInputError / InfeasibleError for input no search can satisfy."""
    x = np.asarray(spec.features, dtype=float)
    if x.ndim != 2 or x.shape[0] == 0:
        raise EngineInputError("No items to group: the input has no rows.")
    n = x.shape[0]
    k = spec.n_groups
    if spec.objective not in OBJECTIVES:
        raise EngineInputError(f"--objective must be one of {', '.join(OBJECTIVES)}.")
    if spec.method not in METHODS:
        raise EngineInputError(f"--method must be one of {', '.join(METHODS)}.")
    if x.shape[1] == 0 and spec.categories is None:
        raise EngineInputError("Give at least one feature (--features) or categorical column.")
    if not np.all(np.isfinite(x)):
        raise EngineInputError("The features contain missing or non-numeric values.")
    if k < 1:
        raise EngineInputError("--groups must be at least 1.")
    if k > n:
        raise InfeasibleError(f"{k} groups need at least {k} items; the input has {n}.")
    lo = spec.size_min if spec.size_min is not None else n // k
    hi = spec.size_max if spec.size_max is not None else -(-n // k)
    if lo < 1 or hi < lo:
        raise EngineInputError(f"Group size bounds {lo}..{hi} are not valid.")
    if k * lo > n:
        raise InfeasibleError(
            f"{k} groups of at least {lo} need {k * lo} items; the input has {n}. "
            "Lower --size-min or use fewer groups."
        )
    if k * hi < n:
        raise InfeasibleError(
            f"{k} groups of at most {hi} hold only {k * hi} items; the input has {n}. "
            "Raise --size-max or use more groups."
        )
    if spec.max_km is not None:
        if spec.max_km <= 0:
            raise EngineInputError("--max-km must be positive.")
        if spec.coords is None:
            raise EngineInputError("--max-km needs latitude and longitude columns.")
        if spec.lead_candidates is None:
            raise EngineInputError(
                "--max-km measures the distance to the lead: give --lead-column."
            )
    if spec.lead_candidates is not None:
        n_leads = int(np.count_nonzero(spec.lead_candidates))
        if n_leads < k:
            raise InfeasibleError(
                f"Exactly one lead per group needs {k} items marked as possible leads; "
                f"only {n_leads} are marked. Mark more leads or use fewer groups."
            )
    for name, pairs in (("apart", spec.apart), ("together", spec.together)):
        for a, b in pairs:
            if not (0 <= a < n and 0 <= b < n):
                raise EngineInputError(f"A {name} pair refers to an item that does not exist.")
            if a == b:
                raise EngineInputError(f"A {name} pair names the same item twice.")
    if spec.fixed is not None:
        f = np.asarray(spec.fixed)
        if f.shape != (n,) or np.any((f < -1) | (f >= k)):
            raise EngineInputError(f"Fixed assignments must name one of the {k} groups.")
