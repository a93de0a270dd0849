"""engine.formrules: comparisons, skipping blanks and "na", sides as codes or numbers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shidian.engine.formrules import evaluate, format_number, holds, parse_side


def test_fails_and_skips():
    rules = [("connected", "le", "rooms"), ("rooms", "gt", "0"), ("share", "le", "100")]
    assert [e.index for e in evaluate(rules, {"connected": 12, "rooms": 10, "share": 50})] == [0]
    assert evaluate(rules, {"connected": "na", "rooms": 10, "share": None}) == []
    assert [e.index for e in evaluate(rules, {"rooms": 0})] == [1]


def test_code_that_looks_like_a_number():
    assert parse_side("2025", ["2025"]).code == "2025"
    assert parse_side("2025").number == 2025.0
    assert evaluate([("a", "le", "2025")], {}, codes=["a", "2025"]) == []


def test_format_number():
    assert format_number(12.0) == "12" and format_number(12.5) == "12.5"


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
def test_operators_are_consistent(a, b):
    assert holds(a, "le", b) == (not holds(a, "gt", b))
    assert holds(a, "ge", b) == (not holds(a, "lt", b))
    assert holds(a, "eq", b) == (not holds(a, "ne", b))
