"""The shape of a standard: dimension (一级指标) > indicator (二级指标) > item (评分要点).

Plain frozen dataclasses so that two standards compare with ``==`` (the import/export round trip
is tested that way) and so that the web app, the command line and the workbook code share one
definition. Scores are floats; weights multiply (an absent weight is 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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


@dataclass(frozen=True)
class Threshold:
    """A value at or above ``minimum`` earns ``score`` (the highest matching threshold wins)."""

    minimum: float
    score: float


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
    message: str  # plain English
    row: int | None = None
    item: str = ""
    params: dict = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        where = f"row {self.row}: " if self.row else ""
        return f"{where}{self.message}"
