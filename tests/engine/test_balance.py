"""Balance between schools: the CV formula, its invariances, leave-one-out and thresholds."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shidian.engine.balance import (
    JUNIOR,
    PRIMARY,
    SchoolValue,
    coefficient_of_variation,
    leave_one_out,
    level_balance,
)

values = st.lists(st.floats(min_value=0.5, max_value=1000), min_size=2, max_size=40)


def test_population_cv_by_hand():
    # mean 4, population SD sqrt(((2-4)^2 + (4-4)^2 + (6-4)^2) / 3) = sqrt(8/3)
    assert coefficient_of_variation([2, 4, 6]) == pytest.approx(math.sqrt(8 / 3) / 4)


def test_weighted_by_students_like_the_national_formula():
    # X = [1, 3], P = [3, 1]: mean = 6/4 = 1.5, S^2 = 3/4*0.25 + 1/4*2.25 = 0.75
    assert coefficient_of_variation([1, 3], [3, 1]) == pytest.approx(math.sqrt(0.75) / 1.5)
    # Equal weights are the unweighted figure.
    assert coefficient_of_variation([1, 3], [5, 5]) == pytest.approx(
        coefficient_of_variation([1, 3])
    )


def test_undefined_cases():
    assert coefficient_of_variation([5]) is None
    assert coefficient_of_variation([]) is None
    assert coefficient_of_variation([0, 0]) is None
    assert coefficient_of_variation([3, 3]) == 0
    with pytest.raises(ValueError):
        coefficient_of_variation([1, 2], [1])


@given(values, st.floats(min_value=0.01, max_value=100))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_scale_invariant(xs, factor):
    a = coefficient_of_variation(xs)
    b = coefficient_of_variation([x * factor for x in xs])
    assert b == pytest.approx(a, rel=1e-6, abs=1e-9)


@given(values, st.lists(st.integers(min_value=1, max_value=3000), min_size=40, max_size=40))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_leave_one_out_matches_recomputing(xs, ws):
    ws = ws[: len(xs)]
    fast = leave_one_out(xs, ws)
    for i in range(len(xs)):
        slow = coefficient_of_variation(xs[:i] + xs[i + 1 :], ws[:i] + ws[i + 1 :])
        if slow is None:
            assert fast[i] is None
        else:
            assert fast[i] == pytest.approx(slow, rel=1e-6, abs=1e-9)


@given(st.lists(st.floats(min_value=9, max_value=11), min_size=3, max_size=30))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_dropping_an_outlier_lowers_the_cv(xs):
    data = [*xs, 100.0]
    cv = coefficient_of_variation(data)
    without = leave_one_out(data)[-1]
    assert without < cv
    result = level_balance([SchoolValue(str(i), PRIMARY, x) for i, x in enumerate(data)])
    assert result[0].pulls[0].key == str(len(data) - 1)


def test_thresholds_and_levels():
    schools = [
        SchoolValue("p1", PRIMARY, 1.0, 100),
        SchoolValue("p2", PRIMARY, 1.2, 100),
        SchoolValue("p3", PRIMARY, 5.0, 100),
        SchoolValue("j1", JUNIOR, 2.0, 300),
        SchoolValue("j2", JUNIOR, 2.2, 300),
    ]
    primary, junior = level_balance(schools)
    assert primary.level == PRIMARY and primary.threshold == 0.50
    assert primary.cv > 0.5 and primary.passes is False
    assert primary.pulls[0].key == "p3" and primary.pulls[0].effect > 0
    assert junior.threshold == 0.45 and junior.passes is True and junior.n == 2
    strict = level_balance(schools, thresholds={PRIMARY: 0.9, JUNIOR: 0.01})
    assert strict[0].passes is True and strict[1].passes is False
    empty = level_balance([])
    assert [b.cv for b in empty] == [None, None] and empty[0].passes is None
