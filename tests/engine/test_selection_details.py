"""Structured infeasibility and input errors of representative selection: a page tells them in
the user's language from ``code`` / ``params`` / ``details`` while the CLI keeps its English."""

from __future__ import annotations

import pandas as pd
import pytest

from shidian.engine.errors import EngineInputError, InfeasibleError
from shidian.engine.selection import Forced, Quota, select_pilots
from tests.engine.test_selection import candidates, spec


def test_quota_min_between_quotas_has_needed_and_allowed():
    with pytest.raises(InfeasibleError) as info:
        select_pilots(
            candidates(60),
            spec(
                count=10,
                strata=("zone",),
                quotas=(Quota("zone", "东片区", 4, None), Quota("zone", "西片区", 7, None)),
            ),
        )
    (detail,) = info.value.details
    assert detail["code"] == "quota_min" and detail["attribute"] == "zone"
    assert detail["stratum"] in ("东片区", "西片区")
    assert detail["allowed"] < detail["needed"]
    assert detail["needed"] + 0 == {"东片区": 4, "西片区": 7}[detail["stratum"]]
    # 4 + 7 = 11 > 10: exactly one pilot must give.
    assert detail["needed"] - detail["allowed"] == 1
    assert info.value.relaxations and "lower its minimum" in info.value.relaxations[0]


def test_quota_max_must_rise():
    frame = pd.DataFrame({"id": list("ABCDEF"), "score": [9, 8, 7, 6, 5, 4], "t": list("xxxxyy")})
    with pytest.raises(InfeasibleError) as info:
        select_pilots(frame, spec(count=4, quotas=(Quota("t", "x", None, 1),)))
    (detail,) = info.value.details
    assert (detail["code"], detail["needed"], detail["allowed"]) == ("quota_max", 1, 2)
    assert detail["population"] == 4


def test_forced_in_unit_that_must_go():
    frame = pd.DataFrame({"id": list("ABCDEF"), "score": [9, 8, 7, 6, 5, 4], "t": list("xxxyyy")})
    with pytest.raises(InfeasibleError) as info:
        select_pilots(
            frame,
            spec(
                count=2,
                include=(Forced("A", "校长推荐"),),
                quotas=(Quota("t", "y", 2, None),),
            ),
        )
    codes = {d["code"] for d in info.value.details}
    assert codes <= {"include", "quota_min"} and codes
    if "include" in codes:
        (item,) = [d for d in info.value.details if d["code"] == "include"]
        assert item["id"] == "A" and item["reason"] == "校长推荐"


def test_balance_detail_names_the_covariate():
    frame = pd.DataFrame(
        {"id": [f"S{i}" for i in range(20)], "score": list(range(20)), "x": list(range(20))}
    )
    with pytest.raises(InfeasibleError) as info:
        select_pilots(
            frame,
            spec(
                count=3,
                balance=("x",),
                max_smd=0.05,
                include=(Forced("S19"), Forced("S18"), Forced("S17")),
            ),
        )
    assert any(d["code"] in ("balance_high", "include") for d in info.value.details)
    for d in info.value.details:
        if d["code"] == "balance_high":
            assert d["covariate"] == "x" and d["smd"] > 0.05


@pytest.mark.parametrize(
    ("kw", "code", "params"),
    [
        ({"count": 0}, "count_too_small", {"count": 0}),
        ({"count": 25, "min_score": 70}, "not_enough_eligible", {"count": 25, "min_score": 70}),
        ({"include": (Forced("NOPE"),)}, "unknown_id", {"what": "include", "id": "NOPE"}),
        ({"exclude": (Forced("NOPE"),)}, "unknown_id", {"what": "exclude", "id": "NOPE"}),
        (
            {"include": (Forced("S0001"),), "exclude": (Forced("S0001"),)},
            "forced_both",
            {"id": "S0001"},
        ),
        (
            {"strata": ("zone",), "quotas": (Quota("zone", "中片区", 1, 2),)},
            "quota_unknown_stratum",
            {"attribute": "zone", "stratum": "中片区"},
        ),
        (
            {"strata": ("zone",), "quotas": (Quota("zone", "东片区", 3, 2),)},
            "quota_min_above_max",
            {"min": 3, "max": 2},
        ),
        (
            {"count": 3, "quotas": (Quota("zone", "东片区", 4, None),)},
            "quota_min_above_count",
            {"min": 4, "count": 3},
        ),
        (
            {"count": 2, "include": tuple(Forced(f"S000{i}") for i in range(3))},
            "too_many_forced",
            {"forced": 3, "count": 2},
        ),
    ],
)
def test_input_errors_carry_a_code(kw, code, params):
    with pytest.raises(EngineInputError) as info:
        select_pilots(candidates(30), spec(**kw))
    assert info.value.code == code
    assert params.items() <= info.value.params.items()
    assert info.value.message  # the English text stays for the CLI


def test_forced_below_minimum_score_has_a_code():
    frame = candidates(30)
    low = frame.sort_values("score").id.iloc[0]
    with pytest.raises(EngineInputError) as info:
        select_pilots(frame, spec(count=3, min_score=60, include=(Forced(low),)))
    assert info.value.code == "forced_below_min" and info.value.params["id"] == low


def test_plain_topk_skips_excluded_candidates():
    frame = pd.DataFrame({"id": list("ABCD"), "score": [9, 8, 7, 6]})
    result = select_pilots(frame, spec(count=2, exclude=(Forced("A", "vetoed"),)))
    assert result.price.topk_total == 8 + 7 and result.price.difference == 0
