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

from shidian.engine.scoring.messages import AnswerError
from shidian.engine.scoring.model import Direction, Item, Method, Problem, Standard, Threshold

YES = {"yes", "y", "true", "1", "是", "有", "√", "✓"}
NO = {"no", "n", "false", "0", "否", "无", "×", "✗"}


def _number(value: Any, item: str = "") -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(str(value).strip().rstrip("%")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise AnswerError("answer_not_a_number", item=item, value=str(value)[:40]) from None
    if not math.isfinite(number):
        raise AnswerError("answer_not_a_number", item=item, value=str(value)[:40])
    return number


def parse_yes_no(value: Any, item: str = "") -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise AnswerError("answer_not_yes_no", item=item, value=str(value)[:40])


def threshold_checks(
    thresholds: tuple[Threshold, ...], direction: Direction = Direction.HIGHER
) -> list[tuple[str, Threshold]]:
    """(operator, threshold), most demanding first: the first one a value reaches is its score.

    The offline workbook's formula nests its IFs in this same order, so the score it shows is
    the score the engine computes on upload.
    """
    if direction == Direction.LOWER:
        ordered = sorted(thresholds, key=lambda t: (t.bound, not t.strict))
        return [("<" if t.strict else "<=", t) for t in ordered]
    ordered = sorted(thresholds, key=lambda t: (t.bound, t.strict), reverse=True)
    return [(">" if t.strict else ">=", t) for t in ordered]


_COMPARE = {
    ">=": lambda v, b: v >= b,
    ">": lambda v, b: v > b,
    "<=": lambda v, b: v <= b,
    "<": lambda v, b: v < b,
}


def by_thresholds(
    value: float,
    thresholds: tuple[Threshold, ...],
    direction: Direction = Direction.HIGHER,
    fallback: float = 0.0,
) -> float:
    """The score of the most demanding threshold ``value`` reaches, else ``fallback``."""
    for op, threshold in threshold_checks(thresholds, direction):
        if _COMPARE[op](value, threshold.bound):
            return threshold.score
    return fallback


def check_answer(item: Item, answer: Mapping[str, Any] | None) -> Problem | None:
    """Return a problem if the answer cannot be scored (wrong level, not a number...)."""
    try:
        score_item(item, answer)
    except AnswerError as exc:
        return _answer_problem(item, exc)
    return None


def _answer_problem(item: Item, exc: AnswerError) -> Problem:
    return Problem(exc.code or "", f"{item.code}: {exc.message}", item=item.code, params=exc.params)


def check_score(value: Any, max_score: float, *, item: str = "") -> float | None:
    """A score typed by a person (0..max_score), or None when blank; AnswerError otherwise."""
    number = _number(value, item)
    if number is None:
        return None
    if number < 0 or number > max_score:
        raise AnswerError("answer_out_of_range", item=item, min=0, max=max_score)
    return number


def score_item(item: Item, answer: Mapping[str, Any] | None) -> float | None:
    """The item's unweighted score in [0, max_score], or None when unanswered.

    Raises :class:`AnswerError` (a ValueError with a code such as ``answer_out_of_range`` and
    its params) for an answer that does not fit the method: the caller shows it next to the
    item or cell, translated by the web from the code.
    """
    if not answer:
        return None
    value = answer.get("value")
    method = item.method
    code = item.code
    if method == Method.SCORE:
        return check_score(value, item.max_score, item=code)
    if method == Method.LEVELS:
        if value is None or str(value).strip() == "":
            return None
        label = str(value).strip().upper()
        for level in item.levels:
            if level.label.upper() == label:
                return min(max(level.score, 0.0), item.max_score)
        allowed = "/".join(level.label for level in item.levels)
        raise AnswerError("answer_bad_level", item=code, value=str(value)[:40], allowed=allowed)
    if method in (Method.YES_NO, Method.VETO):
        flag = parse_yes_no(value, code)
        if flag is None:
            return None
        if method == Method.VETO:
            return 0.0
        return item.max_score if flag else 0.0
    if method == Method.NUMBER:
        number = _number(value, code)
        if number is None:
            return None
        if number < 0:
            raise AnswerError("answer_negative", item=code)
        return _clamp(by_thresholds(number, item.thresholds, item.direction, item.fallback), item)
    if method == Method.RATIO:
        numerator = _number(answer.get("numerator"), code)
        denominator = _number(answer.get("denominator"), code)
        if numerator is None or denominator is None:
            return None
        if numerator < 0 or denominator < 0:
            raise AnswerError("answer_negative", item=code)
        if numerator > denominator:
            raise AnswerError(
                "answer_ratio_exceeds",
                item=code,
                numerator=item.numerator_label,
                denominator=item.denominator_label,
            )
        ratio = numerator / denominator if denominator else 0.0
        return _clamp(by_thresholds(ratio, item.thresholds, item.direction, item.fallback), item)
    raise AnswerError("answer_unknown_method", item=code, method=str(method))


def _clamp(score: float, item: Item) -> float:
    return min(max(score, 0.0), item.max_score)


def is_vetoed(item: Item, answer: Mapping[str, Any] | None) -> bool:
    if item.method != Method.VETO or not answer:
        return False
    try:
        return parse_yes_no(answer.get("value")) is True
    except AnswerError:
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
                except AnswerError as exc:
                    problems.append(_answer_problem(item, exc))
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


def missing_answers(
    standard: Standard, answers: Mapping[str, Mapping[str, Any] | None]
) -> list[str]:
    """Items without a usable answer (checked before a sheet may be submitted)."""
    missing: list[str] = []
    for item in standard.items():
        answer = answers.get(item.code)
        try:
            score = score_item(item, answer)
        except AnswerError:
            score = None
        if score is None and not (item.method == Method.VETO and is_answered_veto(answer)):
            missing.append(item.code)
    return missing


def is_answered_veto(answer: Mapping[str, Any] | None) -> bool:
    if not answer:
        return False
    try:
        return parse_yes_no(answer.get("value")) is not None
    except AnswerError:
        return False
