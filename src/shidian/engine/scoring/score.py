"""Score answers against a standard: item scores, then roll-ups to indicator, dimension, total.

An answer is a small dict, the same online and offline:
``{"value": ...}`` for score/levels/yes_no/number/veto, ``{"numerator": n, "denominator": d}`` for
ratio. A missing or blank answer scores nothing (None), which counts as 0 in the totals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shidian.engine.scoring.model import Item, Method, Problem, Standard, Threshold

YES = {"yes", "y", "true", "1", "是", "有", "√", "✓"}
NO = {"no", "n", "false", "0", "否", "无", "×", "✗"}


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(str(value).strip().rstrip("%")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ValueError("not a number") from None
    if not math.isfinite(number):
        raise ValueError("not a number")
    return number


def parse_yes_no(value: Any) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError("not yes or no")


def by_thresholds(value: float, thresholds: tuple[Threshold, ...]) -> float:
    best: Threshold | None = None
    for threshold in thresholds:
        if value >= threshold.minimum and (best is None or threshold.minimum > best.minimum):
            best = threshold
    return best.score if best else 0.0


def check_answer(item: Item, answer: Mapping[str, Any] | None) -> Problem | None:
    """Return a problem if the answer cannot be scored (wrong level, not a number...)."""
    try:
        score_item(item, answer)
    except ValueError as exc:
        return Problem("bad_answer", f"{item.code}: {exc}", item=item.code)
    return None


def score_item(item: Item, answer: Mapping[str, Any] | None) -> float | None:
    """The item's unweighted score in [0, max_score], or None when unanswered.

    Raises ValueError (with a message naming the allowed values) for an answer that does not fit
    the method: the caller shows it next to the item or cell.
    """
    if not answer:
        return None
    value = answer.get("value")
    method = item.method
    if method == Method.SCORE:
        number = _number(value)
        if number is None:
            return None
        if number < 0 or number > item.max_score:
            raise ValueError(f"score must be between 0 and {item.max_score:g}")
        return number
    if method == Method.LEVELS:
        if value is None or str(value).strip() == "":
            return None
        label = str(value).strip().upper()
        for level in item.levels:
            if level.label.upper() == label:
                return min(max(level.score, 0.0), item.max_score)
        allowed = "/".join(level.label for level in item.levels)
        raise ValueError(f"level '{value}' is not one of {allowed}")
    if method in (Method.YES_NO, Method.VETO):
        flag = parse_yes_no(value)
        if flag is None:
            return None
        if method == Method.VETO:
            return 0.0
        return item.max_score if flag else 0.0
    if method == Method.NUMBER:
        number = _number(value)
        if number is None:
            return None
        if number < 0:
            raise ValueError("the number cannot be negative")
        return min(max(by_thresholds(number, item.thresholds), 0.0), item.max_score)
    if method == Method.RATIO:
        numerator = _number(answer.get("numerator"))
        denominator = _number(answer.get("denominator"))
        if numerator is None or denominator is None:
            return None
        if numerator < 0 or denominator < 0:
            raise ValueError("the numbers cannot be negative")
        if numerator > denominator:
            raise ValueError(
                f"{item.numerator_label or 'numerator'} cannot exceed "
                f"{item.denominator_label or 'denominator'}"
            )
        ratio = numerator / denominator if denominator else 0.0
        return min(max(by_thresholds(ratio, item.thresholds), 0.0), item.max_score)
    raise ValueError(f"unknown method {method}")


def is_vetoed(item: Item, answer: Mapping[str, Any] | None) -> bool:
    if item.method != Method.VETO or not answer:
        return False
    try:
        return parse_yes_no(answer.get("value")) is True
    except ValueError:
        return False


@dataclass
class SheetScore:
    total: float
    max_total: float
    vetoed: bool
    veto_items: list[str]
    items: dict[str, float | None]  # unweighted
    weighted: dict[str, float]
    indicators: dict[str, float]
    dimensions: dict[str, float]
    answered: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.vetoed


def score_sheet(standard: Standard, answers: Mapping[str, Mapping[str, Any] | None]) -> SheetScore:
    """Score every item and roll up. Bad answers are reported in ``problems`` and score 0.

    The total is the sum of weighted item scores (a veto does not change the total, it fails the
    sheet: the office still sees how far the unit got).
    """
    weights = standard.item_weight()
    items: dict[str, float | None] = {}
    weighted: dict[str, float] = {}
    indicators: dict[str, float] = {}
    dimensions: dict[str, float] = {}
    problems: list[Problem] = []
    veto_items: list[str] = []
    answered = 0
    for dimension in standard.dimensions:
        dim_total = 0.0
        for indicator in dimension.indicators:
            ind_total = 0.0
            for item in indicator.items:
                answer = answers.get(item.code)
                try:
                    score = score_item(item, answer)
                except ValueError as exc:
                    problems.append(Problem("bad_answer", f"{item.code}: {exc}", item=item.code))
                    score = None
                if score is not None or (item.method == Method.VETO and answer):
                    answered += 1
                if is_vetoed(item, answer):
                    veto_items.append(item.code)
                items[item.code] = score
                weighted[item.code] = (score or 0.0) * weights[item.code]
                ind_total += weighted[item.code]
            indicators[indicator.code] = ind_total
            dim_total += ind_total
        dimensions[dimension.code] = dim_total
    total = sum(dimensions.values())
    return SheetScore(
        total=total,
        max_total=standard.max_total(),
        vetoed=bool(veto_items),
        veto_items=veto_items,
        items=items,
        weighted=weighted,
        indicators=indicators,
        dimensions=dimensions,
        answered=answered,
        problems=problems,
    )


def missing_answers(standard: Standard, answers: Mapping[str, Mapping[str, Any] | None]) -> list:
    """Items without a usable answer (checked before a sheet may be submitted)."""
    missing = []
    for item in standard.items():
        answer = answers.get(item.code)
        try:
            score = score_item(item, answer)
        except ValueError:
            score = None
        if score is None and not (item.method == Method.VETO and is_answered_veto(answer)):
            missing.append(item.code)
    return missing


def is_answered_veto(answer: Mapping[str, Any] | None) -> bool:
    if not answer:
        return False
    try:
        return parse_yes_no(answer.get("value")) is not None
    except ValueError:
        return False
