"""The shape of a standard: dimension (一级指标) > indicator (二级指标) > item (评分要点).

Plain frozen dataclasses so that two standards compare with ``==`` (the import/export round trip
is tested that way) and so that the web app, the command line and the workbook code share one
definition. Scores are floats; weights multiply (an absent weight is 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# Longest text each stored field may hold, checked on every way in so SQLite (which ignores
# VARCHAR lengths) and PostgreSQL refuse the same files. ``code`` and ``name`` are the Django
# columns' max_length (standards.Standard, campaigns.Evidence.item_code); the rest live in the
# version's JSON and are bounded so one pasted document cannot bloat every sheet and workbook.
MAX_LENGTHS: dict[str, int] = {
    "code": 64,
    "name": 200,
    "text": 2000,
    "guidance": 4000,
    "label": 100,  # level labels, numerator and denominator names
    "description": 4000,
    "note": 300,
}


class Method(StrEnum):
    """How an item's answer becomes a score."""

    SCORE = "score"  # the unit enters a score between 0 and the maximum
    LEVELS = "levels"  # a level (A/B/C/D) mapped to a score by the level table
    YES_NO = "yes_no"  # yes scores the maximum, no scores 0
    NUMBER = "number"  # a reported number scored by thresholds
    RATIO = "ratio"  # numerator / denominator (two reported numbers) scored by thresholds
    VETO = "veto"  # 一票否决: "yes" (the condition happened) fails the whole sheet


@dataclass(frozen=True)
class Level:
    label: str
    score: float


class Direction(StrEnum):
    """Which way an item's thresholds point."""

    HIGHER = "higher"  # more is better: a threshold is a minimum (>= bound, or > when strict)
    LOWER = "lower"  # less is better (pupils per computer): a maximum (<= bound, or <)


@dataclass(frozen=True)
class Threshold:
    """A value that reaches ``bound`` earns ``score``; the item's direction says which way.

    Of the thresholds a value reaches, the most demanding one wins (the highest bound when more
    is better, the lowest when less is better), so the order they are written in never matters.
    """

    bound: float
    score: float
    strict: bool = False  # > or < rather than >= or <=


@dataclass(frozen=True)
class Item:
    code: str
    text: str
    max_score: float
    method: Method = Method.SCORE
    guidance: str = ""
    evidence_required: bool = False
    weight: float = 1.0
    levels: tuple[Level, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    numerator_label: str = ""
    denominator_label: str = ""
    direction: Direction = Direction.HIGHER
    fallback: float = 0.0  # the score when no threshold is reached ("其他:0")


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    items: tuple[Item, ...]
    max_score: float | None = None  # the declared maximum (checked when check_sums)
    weight: float = 1.0


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    indicators: tuple[Indicator, ...]
    max_score: float | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class Standard:
    code: str
    name: str
    dimensions: tuple[Dimension, ...]
    description: str = ""
    check_sums: bool = False  # declared maxima must equal the sum of their children's
    total_max: float | None = None

    def items(self) -> list[Item]:
        return [item for d in self.dimensions for i in d.indicators for item in i.items]

    def item_paths(self) -> list[tuple[Dimension, Indicator, Item]]:
        return [(d, i, item) for d in self.dimensions for i in d.indicators for item in i.items]

    def item_weight(self) -> dict[str, float]:
        """Effective weight of every item: dimension x indicator x item weight."""
        return {it.code: d.weight * i.weight * it.weight for d, i, it in self.item_paths()}

    def max_total(self) -> float:
        weights = self.item_weight()
        return sum(item.max_score * weights[item.code] for item in self.items())


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a standard or an answer; ``row`` is the source row (1-based) if any."""

    code: str  # stable machine code, e.g. "duplicate_code"; the web translates it
    message: str  # plain English (the command line prints it)
    row: int | None = None
    item: str = ""
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        where = f"row {self.row}: " if self.row else ""
        return f"{where}{self.message}"
