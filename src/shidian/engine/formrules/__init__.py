"""Rules between the fields of a form, evaluated without Django.

A rule is ``left op right`` where each side is a field code or a number literal. ``evaluate``
returns the rules that fail for a set of answers; a rule whose field answer is blank, "na" or
not a number is skipped (the form's own required/number checks report those).
"""

from __future__ import annotations

import math
import operator as _op
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

OPERATORS = {
    "le": _op.le,
    "lt": _op.lt,
    "ge": _op.ge,
    "gt": _op.gt,
    "eq": _op.eq,
    "ne": _op.ne,
}
CODE_RE = re.compile(r"^[A-Za-z0-9_]+$")
# Two answers differing by less than this are equal: percentages typed as 33.3 and computed
# shares would otherwise fail "eq" on float noise.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Side:
    code: str | None  # a field code, or None for a number literal
    number: float | None  # the literal, when code is None


@dataclass(frozen=True)
class Evaluated:
    index: int  # position of the rule in the input
    left: Side
    right: Side
    left_value: float
    right_value: float


def parse_number(text: Any) -> float | None:
    """A finite float from a number or numeric text, else None."""
    if isinstance(text, bool):
        return float(text)
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        try:
            value = float(str(text).strip())
        except (TypeError, ValueError):
            return None
    return value if math.isfinite(value) else None


def parse_side(text: Any, codes: Iterable[str] | None = None) -> Side:
    """A side as written in a rule: a known field code wins over a number (codes like "2025"
    are legal), then a number, then an unknown code kept as a code."""
    raw = str(text).strip()
    if codes is not None and raw in set(codes):
        return Side(raw, None)
    number = parse_number(raw)
    if number is not None:
        return Side(None, number)
    return Side(raw, None)


def _value(side: Side, values: Mapping[str, Any]) -> float | None:
    if side.code is None:
        return side.number
    answer = values.get(side.code)
    if answer is None or answer == "" or answer == "na":
        return None
    return parse_number(answer)


def holds(left: float, op: str, right: float) -> bool:
    if op not in OPERATORS:
        raise ValueError(f"unknown operator {op!r}")
    if abs(left - right) <= TOLERANCE * max(1.0, abs(right)):
        return op in ("eq", "le", "ge")
    return OPERATORS[op](left, right)


def evaluate(
    rules: Iterable[tuple[Any, str, Any]],
    values: Mapping[str, Any],
    *,
    codes: Iterable[str] = (),
) -> list[Evaluated]:
    """The failing rules among ``(left, op, right)`` triples, in order. ``codes`` are the
    form's field codes (a side naming one is a field even when unanswered)."""
    codes = {*values.keys(), *codes}
    failed = []
    for index, (left_text, op, right_text) in enumerate(rules):
        left, right = parse_side(left_text, codes), parse_side(right_text, codes)
        lv, rv = _value(left, values), _value(right, values)
        if lv is None or rv is None:
            continue
        if not holds(lv, op, rv):
            failed.append(Evaluated(index, left, right, lv, rv))
    return failed


def format_number(value: float) -> str:
    """12.0 -> "12", 12.5 -> "12.5"."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6g}"
