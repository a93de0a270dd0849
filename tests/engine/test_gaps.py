"""Gap analysis: thresholds, gaps, pass mark, vetoes (engine/gaps)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shidian.engine.errors import EngineInputError
from shidian.engine.gaps import (
    IndicatorGap,
    IndicatorScore,
    analyse,
    indicator_scores,
    mean_item_scores,
    severity,
    threshold_for,
)
from shidian.engine.scoring import score_sheet
from tests.engine.scoring_strategies import standard_and_answers


@st.composite
def indicator_rows(draw):
    n = draw(st.integers(1, 8))
    rows = []
    for i in range(n):
        maximum = draw(st.floats(0, 50, allow_nan=False).map(lambda x: round(x, 2)))
        score = draw(st.floats(0, 1).map(lambda x, m=maximum: round(x * m, 2)))
        rows.append(IndicatorScore(f"I{i}", f"指标{i}", maximum, min(score, maximum)))
    return rows


@settings(deadline=None)  # a loaded CI machine is slow, not wrong
@given(indicator_rows(), st.floats(0.01, 1))
def test_no_gap_when_every_score_reaches_its_threshold(rows, share):
    lifted = [IndicatorScore(r.code, r.name, r.max_score, r.max_score) for r in rows]
    report = analyse(lifted, share=share, pass_mark=sum(r.max_score for r in rows))
    assert report.gaps == ()
    assert report.total_gap == 0 and report.passed


@settings(deadline=None)
@given(indicator_rows(), st.floats(0.01, 1))
def test_gaps_are_consistent(rows, share):
    report = analyse(rows, share=share)
    for row, result in zip(rows, report.indicators, strict=True):
        assert result.gap == pytest.approx(max(0.0, share * row.max_score - row.score), abs=1e-5)
        assert (result.gap > 0) == (result in report.gaps)
    assert report.gap_sum == pytest.approx(sum(g.gap for g in report.indicators))
    sizes = [g.gap for g in report.gaps]
    assert sizes == sorted(sizes, reverse=True)
    # Raising every score to its threshold closes exactly the listed gaps.
    closed = [
        IndicatorScore(r.code, r.name, r.max_score, r.score + g.gap)
        for r, g in zip(rows, report.indicators, strict=True)
    ]
    assert analyse(closed, share=share).gaps == ()


@settings(max_examples=60, deadline=None)
@given(standard_and_answers(), st.sampled_from([1, 2]))
def test_indicator_scores_add_up_to_the_sheet(pair, level):
    standard, answers = pair
    sheet = score_sheet(standard, answers)
    rows = indicator_scores(standard, sheet.items, level=level)
    assert sum(r.score for r in rows) == pytest.approx(sheet.total, abs=1e-6)
    assert sum(r.max_score for r in rows) == pytest.approx(standard.max_total(), abs=1e-6)


def test_threshold_edges():
    assert threshold_for(10) == 6
    assert threshold_for(10, share=1) == 10
    assert threshold_for(10, absolute=0) == 0
    assert threshold_for(10, share=0.5, absolute=7) == 7
    for bad in ({"share": 0}, {"share": 1.2}, {"absolute": 11}, {"absolute": -1}):
        with pytest.raises(EngineInputError):
            threshold_for(10, **bad)


def test_score_exactly_at_the_threshold_is_no_gap():
    report = analyse([IndicatorScore("A", "a", 10, 6)], share=0.6, pass_mark=6)
    assert report.gaps == () and report.passed


def test_pass_mark_veto_and_unknown_codes():
    rows = [IndicatorScore("A", "a", 10, 2), IndicatorScore("B", "b", 10, 9)]
    report = analyse(rows, pass_mark=15, veto_codes=["A"])
    assert [g.code for g in report.gaps] == ["A"]
    assert report.total_gap == 4 and report.veto_failed == ("A",) and not report.passed
    assert report.verdict == "failed"
    assert analyse(rows, pass_mark=10).verdict == "passed_with_gaps"
    assert analyse(rows, share=0.2).verdict == "passed"
    assert analyse(rows, pass_mark=10, vetoed=True).passed is False
    with pytest.raises(EngineInputError):
        analyse(rows, pass_mark=21)
    with pytest.raises(EngineInputError):
        analyse(rows, veto_codes=["Z"])


def test_mean_item_scores_keeps_own_score_for_blank_items():
    means = mean_item_scores([{"a": 2, "b": 4}, {"a": 4}], {"a": 5, "b": 5, "c": 1})
    assert means == {"a": 3, "b": 4, "c": 1}


def test_severity():
    def gap(g, veto=False):
        return IndicatorGap("A", "a", 10, 0, 6, g, veto)

    assert [severity(gap(1)), severity(gap(3)), severity(gap(5)), severity(gap(1, True))] == [
        "minor",
        "normal",
        "major",
        "major",
    ]
