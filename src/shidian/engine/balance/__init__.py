"""Balance between schools (校际均衡): the coefficient of variation of a resource indicator
across the schools of a county, per level, against the national thresholds, and the schools
that pull it up.

Which formula. The national assessment of county compulsory education (《县域义务教育优质均衡
发展督导评估办法》, 2017, and the basic-balance rules before it) computes the 差异系数 as
CV = S / X̄ with X̄ = Σ Pᵢ Xᵢ / P and S = √(Σ (Pᵢ / P)(Xᵢ − X̄)²), where Xᵢ is school i's value
and Pᵢ its number of students (P their sum): a *population* standard deviation (divided by the
total weight, not by n − 1), weighted by enrolment, so a small teaching point moves the figure
less than a large school. We follow it: ``weights`` are the students; without weights every
school weighs 1 and the figure is the plain population CV (SD with ddof=0 over the mean). The
sample SD (n − 1) is not used: the assessment treats a county's schools as the whole
population, not a sample of it, and a county with few schools would otherwise be penalised.

Thresholds (优质均衡): primary ≤ 0.50, junior secondary ≤ 0.45; configurable per call.

Pure Python and NumPy; no Django (tests/engine/test_no_django.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

PRIMARY = "primary"
JUNIOR = "junior"
THRESHOLDS: Mapping[str, float] = {PRIMARY: 0.50, JUNIOR: 0.45}


@dataclass(frozen=True)
class SchoolValue:
    key: str  # the caller's id for the school
    level: str  # PRIMARY / JUNIOR (a nine-year school appears once in each)
    value: float
    weight: float = 1.0  # students; 1 when unweighted


@dataclass(frozen=True)
class Pull:
    """One school's effect on its level's CV: the CV without it (leave-one-out)."""

    key: str
    value: float
    cv_without: float | None
    effect: float  # cv - cv_without: positive = this school pulls the CV up


@dataclass
class LevelBalance:
    level: str
    n: int
    mean: float | None
    sd: float | None
    cv: float | None  # None: fewer than two schools, or a zero mean
    threshold: float | None
    passes: bool | None  # None: no CV or no threshold
    pulls: list[Pull] = field(default_factory=list)  # strongest pull first, top ``top``


def _moments(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    total = weights.sum()
    mean = float((weights * values).sum() / total)
    var = float((weights * (values - mean) ** 2).sum() / total)
    return mean, max(var, 0.0) ** 0.5


def coefficient_of_variation(
    values: Sequence[float], weights: Sequence[float] | None = None
) -> float | None:
    """Weighted population CV = SD / mean (see the module docstring); None when undefined."""
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if x.shape != w.shape:
        raise ValueError("values and weights differ in length")
    if (w < 0).any():
        raise ValueError("weights must not be negative")
    keep = w > 0
    x, w = x[keep], w[keep]
    if len(x) < 2:
        return None
    mean, sd = _moments(x, w)
    if mean == 0:
        return None
    return sd / abs(mean)


def leave_one_out(
    values: Sequence[float], weights: Sequence[float] | None = None
) -> list[float | None]:
    """The CV without each school in turn.

    Recomputed from scratch for each school (O(n^2), vectorised): the shortcut from running
    sums loses all precision when the remaining schools are nearly equal, and a county level
    has at most a few hundred schools."""
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    out: list[float | None] = []
    mask = np.ones(len(x), dtype=bool)
    for i in range(len(x)):
        mask[i] = False
        out.append(coefficient_of_variation(x[mask].tolist(), w[mask].tolist()))
        mask[i] = True
    return out


def level_balance(
    schools: Iterable[SchoolValue],
    *,
    thresholds: Mapping[str, float] = THRESHOLDS,
    top: int = 5,
    levels: Sequence[str] = (PRIMARY, JUNIOR),
) -> list[LevelBalance]:
    """Per level: n, weighted mean and SD, CV, pass/fail against the threshold, and the
    ``top`` schools whose removal lowers the CV most (those that pull it up)."""
    by_level: dict[str, list[SchoolValue]] = {level: [] for level in levels}
    for school in schools:
        by_level.setdefault(school.level, []).append(school)
    result = []
    for level, members in by_level.items():
        x = [s.value for s in members]
        w = [s.weight for s in members]
        cv = coefficient_of_variation(x, w) if members else None
        mean = sd = None
        if members and sum(w) > 0:
            mean, sd = _moments(np.asarray(x, dtype=float), np.asarray(w, dtype=float))
        threshold = thresholds.get(level)
        passes = None if cv is None or threshold is None else cv <= threshold
        pulls = []
        if cv is not None:
            for school, without in zip(members, leave_one_out(x, w), strict=True):
                if without is not None:
                    pulls.append(Pull(school.key, school.value, without, cv - without))
            pulls.sort(key=lambda p: (-p.effect, p.key))
            pulls = [p for p in pulls if p.effect > 0][:top]
        result.append(LevelBalance(level, len(members), mean, sd, cv, threshold, passes, pulls))
    return result
