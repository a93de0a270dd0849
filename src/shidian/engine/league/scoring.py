"""Scores from components with stated weights, ranks with ties, grades by score bands.

The rules, as the league page states them:

* A component is a share in 0..1 (plan completion, report timeliness, report completeness,
  indicator/goal progress). The score is ``100 * sum(w_i * c_i) / sum(w_i)`` over the
  components the unit *has* (weight > 0): a missing component (no approved plan yet, no report
  due this month) is left out and the remaining weights are scaled up, so a unit is neither
  punished nor rewarded for what cannot be measured yet. No component at all: no score, no rank.
* Ranks are competition ranks ("1224") on the score rounded to one decimal, so two units the
  bulletin shows with the same score share a rank.
* Grades are absolute score bands (default A >= 85, B >= 70, C >= 60, else D), so a grade
  means the same in a batch of 5 and one of 7,000.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shidian.engine.errors import EngineInputError

COMPONENTS = ("plan_rate", "timeliness", "completeness", "goal_progress")
DEFAULT_WEIGHTS: dict[str, float] = {
    "plan_rate": 0.5,
    "timeliness": 0.3,
    "completeness": 0.0,
    "goal_progress": 0.2,
}


@dataclass(frozen=True)
class Rules:
    """Everything a league table's figures depend on besides the data (stored with the table)."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    bands: tuple[tuple[str, float], ...] = (("A", 85.0), ("B", 70.0), ("C", 60.0))
    bottom_n: int = 3  # the last N ranks (ties included) are "at the bottom"
    red_late_tasks: int = 3  # this many tasks past due and not done: red at once
    red_missing_reports: int = 2  # this many reports never submitted in the month: red at once

    def __post_init__(self) -> None:
        problems = []
        unknown = sorted(set(self.weights) - set(COMPONENTS))
        if unknown:
            problems.append(f"unknown weight(s) {', '.join(unknown)}")
        for name, w in self.weights.items():
            if not isinstance(w, int | float) or math.isnan(w) or w < 0:
                problems.append(f"weight {name} must be a number >= 0")
        if not any(w > 0 for w in self.weights.values() if isinstance(w, int | float)):
            problems.append("at least one weight must be > 0")
        limits = [b for _g, b in self.bands]
        if limits != sorted(limits, reverse=True):
            problems.append("grade bands must be in descending order")
        if self.bottom_n < 0 or self.red_late_tasks < 1 or self.red_missing_reports < 1:
            problems.append("bottom_n >= 0, red_late_tasks >= 1, red_missing_reports >= 1")
        if problems:
            raise EngineInputError("; ".join(problems))

    def as_json(self) -> dict:
        return {
            "weights": dict(self.weights),
            "bands": [[g, b] for g, b in self.bands],
            "bottom_n": self.bottom_n,
            "red_late_tasks": self.red_late_tasks,
            "red_missing_reports": self.red_missing_reports,
        }

    @classmethod
    def from_json(cls, data: Mapping | None) -> Rules:
        data = dict(data or {})
        kwargs: dict = {}
        if "weights" in data:
            kwargs["weights"] = {str(k): float(v) for k, v in data["weights"].items()}
        if "bands" in data:
            kwargs["bands"] = tuple((str(g), float(b)) for g, b in data["bands"])
        for key in ("bottom_n", "red_late_tasks", "red_missing_reports"):
            if key in data:
                kwargs[key] = int(data[key])
        return cls(**kwargs)


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Components:
    plan_rate: float | None = None
    timeliness: float | None = None
    completeness: float | None = None
    goal_progress: float | None = None

    def missing(self, weights: Mapping[str, float]) -> list[str]:
        """The weighted components this unit has no value for."""
        return [c for c in COMPONENTS if weights.get(c, 0) > 0 and getattr(self, c) is None]


def score(components: Components, weights: Mapping[str, float]) -> float | None:
    """0..100 from the components present (see the module docstring), or None."""
    total = 0.0
    weight = 0.0
    for name in COMPONENTS:
        w = float(weights.get(name, 0.0))
        value = getattr(components, name)
        if w <= 0 or value is None:
            continue
        total += w * min(1.0, max(0.0, float(value)))
        weight += w
    if weight == 0:
        return None
    return round(100.0 * total / weight, 4)


def rank_with_ties(scores: Mapping[int, float | None]) -> dict[int, int | None]:
    """Competition ranks (1, 2, 2, 4) on scores rounded to one decimal; None stays unranked."""
    ranked = sorted(
        ((round(s, 1), key) for key, s in scores.items() if s is not None),
        key=lambda t: -t[0],
    )
    out: dict[int, int | None] = {key: None for key, s in scores.items() if s is None}
    previous = None
    rank = 0
    for position, (value, key) in enumerate(ranked, 1):
        if value != previous:
            rank = position
            previous = value
        out[key] = rank
    return out


def grade_for(value: float | None, bands: Iterable[tuple[str, float]]) -> str:
    """The first band whose lower limit the score reaches; the lowest grade is D. No score: ""."""
    if value is None:
        return ""
    for grade, lower in bands:
        if round(value, 1) >= lower:
            return grade
    return "D"


def bottom_set(ranks: Mapping[int, int | None], n: int) -> set[int]:
    """The units in the last ``n`` places of the ranking, every unit tied with the n-th worst
    included (two units sharing the cut-off rank are both at the bottom). A unit ranked first
    is never at the bottom: when every unit ties, nobody is behind the others."""
    ranked = sorted((r for r in ranks.values() if r is not None), reverse=True)
    if n <= 0 or not ranked:
        return set()
    cutoff = max(2, ranked[min(n, len(ranked)) - 1])
    return {key for key, r in ranks.items() if r is not None and r >= cutoff}
