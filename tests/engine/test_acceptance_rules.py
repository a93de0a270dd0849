"""The acceptance rule (engine/acceptance): proposals, veto, missing archive, reconciliation."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shidian.engine.acceptance import ExpertScore, Rules, Verdict, expert_total, propose
from shidian.engine.acceptance.rules import (
    ARCHIVE_MISSING,
    BELOW_CONDITIONAL,
    BELOW_PASS,
    NO_SCORES,
    RANK,
    REPORT_MISSING,
    VETO,
)
from shidian.engine.errors import EngineInputError

RULES = Rules(pass_threshold=80, conditional_threshold=70, spread_limit=10, veto_codes=("V1",))


def codes(proposal):
    return [r.code for r in proposal.reasons]


def test_pass_conditional_fail_by_score():
    assert propose(RULES, [ExpertScore(85), ExpertScore(81)]).verdict == Verdict.PASS
    p = propose(RULES, [ExpertScore(75), ExpertScore(73)])
    assert p.verdict == Verdict.CONDITIONAL and codes(p) == [BELOW_PASS]
    assert p.mean == 74 and p.spread == 2 and not p.flagged
    p = propose(RULES, [ExpertScore(60)])
    assert p.verdict == Verdict.FAIL and codes(p) == [BELOW_CONDITIONAL]
    assert p.reasons[0].get("threshold") == 70


def test_without_conditional_threshold_below_pass_fails():
    rules = Rules(pass_threshold=80)
    p = propose(rules, [ExpertScore(79.9)])
    assert p.verdict == Verdict.FAIL and codes(p) == [BELOW_PASS]


def test_veto_fails_a_high_score_by_majority():
    yes, no = {"V1": True}, {"V1": False}
    p = propose(RULES, [ExpertScore(95, yes), ExpertScore(95, no)])
    assert p.verdict == Verdict.FAIL and VETO in codes(p) and p.vetoes == ("V1",)
    p = propose(RULES, [ExpertScore(95, yes), ExpertScore(95, no), ExpertScore(95, no)])
    assert p.verdict == Verdict.PASS and p.vetoes == ()


def test_missing_archive_and_report_make_a_pass_conditional():
    p = propose(RULES, [ExpertScore(90)], missing_documents=["会议记录"])
    assert p.verdict == Verdict.CONDITIONAL and codes(p) == [ARCHIVE_MISSING]
    assert p.reasons[0].get("document") == "会议记录"
    p = propose(RULES, [ExpertScore(90)], report_submitted=False)
    assert p.verdict == Verdict.CONDITIONAL and codes(p) == [REPORT_MISSING]


def test_no_scores_is_pending_and_spread_is_flagged():
    p = propose(RULES, [])
    assert p.verdict == Verdict.PENDING and codes(p) == [NO_SCORES] and p.mean is None
    p = propose(RULES, [ExpertScore(95), ExpertScore(82)])
    assert p.flagged and p.spread == 13 and p.verdict == Verdict.PASS


def test_bad_rules_and_scores_are_refused():
    with pytest.raises(EngineInputError):
        Rules(pass_threshold=80, conditional_threshold=85)
    with pytest.raises(EngineInputError):
        Rules(pass_threshold=float("nan"))
    with pytest.raises(EngineInputError):
        expert_total({"a": 5}, {"a": 4})
    with pytest.raises(EngineInputError):
        expert_total({"b": 1}, {"a": 4})
    assert expert_total({"a": 2, "b": 1}, {"a": 4, "b": 2}, {"a": 2}) == 5


totals = st.lists(st.floats(min_value=0, max_value=100), min_size=1, max_size=6)
docs = st.lists(st.sampled_from(["甲", "乙", "丙"]), unique=True, max_size=3)


# The machine is shared: slow draws are the machine's, not the strategy's.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(totals, docs, st.booleans(), st.floats(min_value=0, max_value=30))
def test_verdict_never_improves_with_a_problem_and_reasons_explain(ts, missing, report, extra):
    experts = [ExpertScore(t) for t in ts]
    base = propose(RULES, experts, missing_documents=missing, report_submitted=report)
    # A reason exists exactly when the pilot does not plainly pass.
    assert (base.verdict == Verdict.PASS) == (not base.reasons)
    worse = propose(RULES, experts, missing_documents=[*missing, "丁"], report_submitted=report)
    assert RANK[worse.verdict] <= RANK[base.verdict]
    vetoed = propose(RULES, [ExpertScore(t, {"V1": True}) for t in ts], missing_documents=missing)
    assert vetoed.verdict == Verdict.FAIL
    # Higher scores never give a worse verdict.
    better = propose(
        RULES,
        [ExpertScore(t + extra) for t in ts],
        missing_documents=missing,
        report_submitted=report,
    )
    assert RANK[better.verdict] >= RANK[base.verdict]
    assert min(ts) - 1e-9 <= base.mean <= max(ts) + 1e-9  # a mean of floats rounds
