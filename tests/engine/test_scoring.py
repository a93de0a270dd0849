"""Item scoring methods, roll-ups and the properties every sheet must keep."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shidian.engine.errors import EngineInputError
from shidian.engine.scoring import (
    AnswerError,
    Dimension,
    Direction,
    Indicator,
    Item,
    Level,
    Method,
    Standard,
    Threshold,
    check_score,
    missing_answers,
    score_item,
    score_sheet,
)
from shidian.engine.scoring.score import by_thresholds, threshold_checks
from tests.engine.scoring_strategies import standard_and_answers

LEVELS = Item("L", "等级", 10, Method.LEVELS, levels=(Level("A", 10), Level("B", 8), Level("C", 5)))
RATIO = Item(
    "R",
    "多媒体教室占比",
    10,
    Method.RATIO,
    thresholds=(Threshold(0.9, 10), Threshold(0.6, 6), Threshold(0, 0)),
    numerator_label="多媒体教室数",
    denominator_label="教室数",
)
NUMBER = Item("N", "生机比", 5, Method.NUMBER, thresholds=(Threshold(10, 5), Threshold(5, 3)))


def test_levels():
    assert score_item(LEVELS, {"value": "a"}) == 10
    assert score_item(LEVELS, {"value": "C"}) == 5
    assert score_item(LEVELS, {"value": ""}) is None
    with pytest.raises(ValueError, match="A/B/C"):
        score_item(LEVELS, {"value": "E"})


def test_yes_no_and_veto():
    item = Item("Y", "有无", 4, Method.YES_NO)
    assert score_item(item, {"value": "是"}) == 4
    assert score_item(item, {"value": "否"}) == 0
    with pytest.raises(ValueError):
        score_item(item, {"value": "maybe"})
    veto = Item("V", "重大安全事故", 0, Method.VETO)
    assert score_item(veto, {"value": "是"}) == 0


def test_number_and_ratio_by_thresholds():
    assert score_item(NUMBER, {"value": 12}) == 5
    assert score_item(NUMBER, {"value": 7}) == 3
    assert score_item(NUMBER, {"value": 2}) == 0
    assert score_item(RATIO, {"numerator": 95, "denominator": 100}) == 10
    assert score_item(RATIO, {"numerator": 7188, "denominator": 9891}) == 6
    assert score_item(RATIO, {"numerator": 0, "denominator": 0}) == 0
    assert score_item(RATIO, {"numerator": 5}) is None
    with pytest.raises(ValueError, match="cannot exceed"):
        score_item(RATIO, {"numerator": 5, "denominator": 4})


def test_direct_score_range():
    item = Item("S", "直接", 6)
    assert score_item(item, {"value": "4.5"}) == 4.5
    with pytest.raises(ValueError, match="between 0 and 6"):
        score_item(item, {"value": 7})


def test_rollup_with_weights():
    standard = Standard(
        "S",
        "测试",
        (
            Dimension(
                "D1",
                "基础",
                (Indicator("D1.1", "网络", (LEVELS, NUMBER), weight=2),),
                weight=0.5,
            ),
            Dimension(
                "D2", "安全", (Indicator("D2.1", "否决", (Item("V", "事故", 0, Method.VETO),)),)
            ),
        ),
    )
    result = score_sheet(standard, {"L": {"value": "B"}, "N": {"value": 6}, "V": {"value": "否"}})
    assert result.items == {"L": 8, "N": 3, "V": 0}
    assert result.indicators["D1.1"] == pytest.approx((8 + 3) * 2 * 0.5)
    assert result.total == pytest.approx(11)
    assert result.max_total == pytest.approx(15)
    assert not result.vetoed
    assert missing_answers(standard, {"L": {"value": "B"}}) == ["N", "V"]
    vetoed = score_sheet(standard, {"L": {"value": "A"}, "V": {"value": "是"}})
    assert vetoed.vetoed and vetoed.veto_items == ["V"] and not vetoed.passed


def test_bad_answer_is_a_problem_not_a_crash():
    standard = Standard("S", "s", (Dimension("D", "d", (Indicator("I", "i", (LEVELS,)),)),))
    result = score_sheet(standard, {"L": {"value": "Z"}})
    assert result.total == 0
    assert result.problems[0].item == "L"


@settings(max_examples=150, deadline=None)
@given(standard_and_answers())
def test_total_is_sum_of_weighted_items_and_within_maximum(case):
    standard, answers = case
    result = score_sheet(standard, answers)
    weights = standard.item_weight()
    expected = sum((result.items[c] or 0) * weights[c] for c in result.items)
    assert result.total == pytest.approx(expected)
    assert result.total == pytest.approx(sum(result.dimensions.values()))
    assert 0 <= result.total <= result.max_total + 1e-9
    for item in standard.items():
        score = result.items[item.code]
        assert score is None or 0 <= score <= item.max_score


@settings(max_examples=100, deadline=None)
@given(standard_and_answers(), st.data())
def test_a_veto_fails_the_sheet_whatever_the_rest(case, data):
    standard, answers = case
    veto = Item("VETO", "发生重大网络安全事故", 0, Method.VETO)
    first = standard.dimensions[0]
    indicator = first.indicators[0]
    patched = Indicator(indicator.code, indicator.name, (*indicator.items, veto))
    dims = (
        Dimension(first.code, first.name, (patched, *first.indicators[1:])),
        *standard.dimensions[1:],
    )
    standard = Standard(standard.code, standard.name, dims)
    answers = {**answers, "VETO": {"value": data.draw(st.sampled_from(["是", True, "yes"]))}}
    result = score_sheet(standard, answers)
    assert result.vetoed and not result.passed
    answers["VETO"] = {"value": "否"}
    assert score_sheet(standard, answers).vetoed is False or any(
        i.method == Method.VETO and i.code != "VETO" for i in standard.items()
    )


@pytest.mark.parametrize(
    ("item", "answer", "code", "params"),
    [
        (Item("S", "直接", 4), {"value": 5}, "answer_out_of_range", {"min": 0, "max": 4}),
        (Item("S", "直接", 4), {"value": "很多"}, "answer_not_a_number", {"value": "很多"}),
        (NUMBER, {"value": -1}, "answer_negative", {"item": "N"}),
        (LEVELS, {"value": "E"}, "answer_bad_level", {"value": "E", "allowed": "A/B/C"}),
        (Item("Y", "有无", 2, Method.YES_NO), {"value": "也许"}, "answer_not_yes_no", {}),
        (
            RATIO,
            {"numerator": 5, "denominator": 4},
            "answer_ratio_exceeds",
            {"numerator": "多媒体教室数", "denominator": "教室数"},
        ),
    ],
)
def test_answer_errors_carry_a_code_and_params(item, answer, code, params):
    with pytest.raises(AnswerError) as caught:
        score_item(item, answer)
    assert isinstance(caught.value, EngineInputError) and isinstance(caught.value, ValueError)
    assert caught.value.code == code
    assert params.items() <= caught.value.params.items()
    assert caught.value.params["item"] == item.code
    assert caught.value.message == str(caught.value)  # the English text the CLI prints
    problem = score_sheet(
        Standard("S", "s", (Dimension("D", "d", (Indicator("I", "i", (item,)),)),)),
        {item.code: answer},
    ).problems[0]
    assert (problem.code, problem.item) == (code, item.code)
    assert params.items() <= problem.params.items()


def test_check_score_for_a_reviewer():
    assert check_score("3.5", 4) == 3.5
    assert check_score("", 4) is None
    with pytest.raises(AnswerError, match="between 0 and 4"):
        check_score(4.5, 4, item="D1")
    with pytest.raises(AnswerError) as caught:
        check_score("abc", 4)
    assert caught.value.code == "answer_not_a_number"


def test_less_is_better_and_a_fallback_in_a_sheet():
    computers = Item(
        "N",
        "生机比",
        5,
        Method.NUMBER,
        thresholds=(Threshold(10, 5), Threshold(15, 3)),
        direction=Direction.LOWER,
        fallback=1,
    )
    standard = Standard("S", "s", (Dimension("D", "d", (Indicator("I", "i", (computers,)),)),))
    totals = [score_sheet(standard, {"N": {"value": v}}).total for v in (8, 10, 13, 15, 30)]
    assert totals == [5, 5, 3, 3, 1]


def test_the_most_demanding_threshold_reached_wins_in_both_directions():
    higher = (Threshold(0.9, 5), Threshold(0.9, 6, strict=True), Threshold(0.5, 2))
    assert by_thresholds(0.9, higher) == 5
    assert by_thresholds(0.95, higher) == 6
    assert by_thresholds(0.4, higher, fallback=1) == 1
    lower = (Threshold(10, 5, strict=True), Threshold(10, 4), Threshold(20, 1))
    assert by_thresholds(9, lower, Direction.LOWER) == 5
    assert by_thresholds(10, lower, Direction.LOWER) == 4
    assert by_thresholds(25, lower, Direction.LOWER) == 0
    assert [op for op, _t in threshold_checks(lower, Direction.LOWER)] == ["<", "<=", "<="]
