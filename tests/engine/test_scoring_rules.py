"""Scoring rules as bureaus write them: thresholds with operators, percentages, "其他", ranges,
less-is-better numbers, and the usual names of the scoring methods.

The wording copies published bureau tables: 南京市中小学智慧校园评估细则 ("师机比不低于1:1",
"生机比不低于8:1"), 江苏省中小学智慧校园申报自评表, 昌吉州中小学校信息化环境评估细则
("不得少于生均公用经费5%"), a county's 信息化工作评价方法 ("比例不低于10%", "≥20M ... ≥100M")
and 河北省县域义务教育优质均衡发展督导评估办法 ("达到4.2人以上"). The scores are ours.
"""

from __future__ import annotations

import pytest

from shidian.engine.scoring import Direction, Item, Method, Threshold, problem, score_item
from shidian.engine.scoring.rules import method_from_text, parse_thresholds


def parse(text: str, *, ratio: bool = True, max_score: float = 5):
    return parse_thresholds(
        text, ratio=ratio, max_score=max_score, make=lambda c, **p: problem(c, item="X", **p)
    )


def rule(parsed):
    return [(t.bound, t.score, t.strict) for t in parsed.thresholds]


@pytest.mark.parametrize(
    "text",
    [
        "≥95%:5；≥70%:3；其他:0",
        "≥95%：5；≥70%：3；其他：0",  # full-width colons
        ">=95%:5;>=70%:3;否则:0",
        "＞＝95％：5，＞＝70％：3，其它：0",  # full-width operators, percent and commas
        "≥0.95:5；≥0.7:3",
        "95%以上:5；70%以上:3；以下:0",
        "达到95%以上得5分，70%及以上得3分，其余不得分",
        "不低于95%:5;不低于70%:3",
        "95%-100%:5；70%-94%:3；70%以下:0",
        "≥95%:5；≥70%:3；<70%:0",  # the rest written with the opposite operator
    ],
)
def test_the_same_rule_however_a_bureau_writes_it(text):
    parsed = parse(text)
    assert parsed.problems == []
    assert parsed.direction == Direction.HIGHER
    assert rule(parsed) == [(0.95, 5, False), (0.7, 3, False)]
    assert parsed.fallback == 0


def test_strict_operators_and_a_nonzero_rest():
    parsed = parse("＞95%：5；＞70%：3；否则：1")
    assert rule(parsed) == [(0.95, 5, True), (0.7, 3, True)]
    assert parsed.fallback == 1
    item = Item(
        "R",
        "无线网络覆盖率",
        5,
        Method.RATIO,
        thresholds=parsed.thresholds,
        fallback=parsed.fallback,
        numerator_label="覆盖教室数",
        denominator_label="教室总数",
    )
    assert score_item(item, {"numerator": 95, "denominator": 100}) == 3  # not above 95%
    assert score_item(item, {"numerator": 96, "denominator": 100}) == 5
    assert score_item(item, {"numerator": 70, "denominator": 100}) == 1


@pytest.mark.parametrize(
    "text",
    [
        "≤10:5；≤15:3；其他:0",
        "<=10:5;<=15:3",
        "不高于10:5，不超过15:3",
        "10以下:5；15以下:3；其他:0",
    ],
)
def test_less_is_better_pupils_per_computer(text):
    parsed = parse(text, ratio=False)
    assert parsed.problems == []
    assert parsed.direction == Direction.LOWER
    assert rule(parsed) == [(10, 5, False), (15, 3, False)]
    item = Item(
        "N",
        "生机比（学生数/学生用计算机数）",
        5,
        Method.NUMBER,
        thresholds=parsed.thresholds,
        direction=parsed.direction,
    )
    # fewer pupils per computer earns more
    assert [score_item(item, {"value": v}) for v in (6, 10, 12, 15, 16, 40)] == [5, 5, 3, 3, 0, 0]


def test_less_is_better_with_strict_bounds_and_ranges():
    parsed = parse("<8:5；8-12:3；其他:1", ratio=False)
    assert parsed.direction == Direction.LOWER and parsed.problems == []
    item = Item(
        "N",
        "生机比",
        5,
        Method.NUMBER,
        thresholds=parsed.thresholds,
        direction=parsed.direction,
        fallback=parsed.fallback,
    )
    assert [score_item(item, {"value": v}) for v in (7.9, 8, 12, 12.5)] == [5, 3, 3, 1]


def test_percentages_are_hundredths_for_a_ratio_and_as_written_for_a_number():
    assert rule(parse("≥95%:5", ratio=True)) == [(0.95, 5, False)]
    assert rule(parse("≥95%:5", ratio=False)) == [(95, 5, False)]
    thresholds = parse("≥95%:5", ratio=False).thresholds
    number = Item("N", "体质健康达标率（%）", 5, Method.NUMBER, thresholds=thresholds)
    assert score_item(number, {"value": "96%"}) == 5
    assert score_item(number, {"value": 94}) == 0


def test_bandwidth_and_teacher_counts_with_units():
    # "光纤到校，教学点≥20M、乡镇中心小学≥50M、县直学校≥100M"; "达到4.2人以上"
    assert rule(parse("≥100M:3；≥50M:2；≥20M:1；其他:0", ratio=False)) == [
        (100, 3, False),
        (50, 2, False),
        (20, 1, False),
    ]
    assert rule(parse("达到4.2人以上:2；达到3人以上:1", ratio=False)) == [
        (4.2, 2, False),
        (3, 1, False),
    ]


def test_full_marks_and_no_marks_in_words():
    parsed = parse("覆盖率达到100%得满分；80%以下不得分", max_score=4)
    assert rule(parsed) == [(1.0, 4, False)]
    assert [p.code for p in parsed.problems] == ["threshold_gap"]  # 80%..100% has no score
    parsed = parse("≥90%得满分，≥60%得2分，60%以下不得分", max_score=4)
    assert parsed.problems == []
    assert rule(parsed) == [(0.9, 4, False), (0.6, 2, False)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("达到95%以上得5分，60%以下不得分", "threshold_gap"),  # 60%..95% has no score
        ("≥50:5；≤60:1", "mixed_directions"),
        ("优秀:5", "bad_thresholds"),
        ("≥95%", "bad_thresholds"),
        ("≥95%:很多", "bad_thresholds"),
    ],
)
def test_rules_that_cannot_be_read_are_problems_naming_the_step(text, code):
    parsed = parse(text, ratio=False)
    assert code in [p.code for p in parsed.problems]
    assert all(p.item == "X" and p.params.get("value") for p in parsed.problems)


def test_order_does_not_matter():
    a = Item("N", "n", 5, Method.NUMBER, thresholds=(Threshold(10, 5), Threshold(5, 3)))
    b = Item("N", "n", 5, Method.NUMBER, thresholds=(Threshold(5, 3), Threshold(10, 5)))
    for value in (0, 5, 7, 10, 50):
        assert score_item(a, {"value": value}) == score_item(b, {"value": value})


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("比例", Method.RATIO),
        ("占比", Method.RATIO),
        ("比值", Method.RATIO),
        ("比率", Method.RATIO),
        ("是否", Method.YES_NO),
        ("有无", Method.YES_NO),
        ("是/否", Method.YES_NO),
        ("等级", Method.LEVELS),
        ("等第", Method.LEVELS),
        ("等级评定", Method.LEVELS),
        ("数值", Method.NUMBER),
        ("数量", Method.NUMBER),
        ("直接赋分", Method.SCORE),
        ("赋分", Method.SCORE),
        ("打分", Method.SCORE),
        ("一票否决", Method.VETO),
        ("否决项", Method.VETO),
        ("ratio", Method.RATIO),
        (" Levels ", Method.LEVELS),
        ("比例计分法", Method.RATIO),
    ],
)
def test_method_names(name, method):
    assert method_from_text(name) == method


def test_unknown_method_name():
    assert method_from_text("神秘方法") is None
