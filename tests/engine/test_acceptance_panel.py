"""Who scores which pilot (engine/acceptance/panel.py): k experts per pilot, no conflict of
interest, loads as even as the conflicts allow, kept pairs stay; and the incomplete rule."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shidian.engine.acceptance import (
    ExpertScore,
    Member,
    Rules,
    Verdict,
    conflicts,
    propose,
    propose_panel,
)
from shidian.engine.acceptance.rules import INCOMPLETE, NO_SCORES
from shidian.engine.errors import EngineInputError

COUNTY = "00001/00002"


def school(n: int) -> Member:
    return Member(f"S{n}", f"{COUNTY}/{n:05d}", school=f"S{n}")


def test_conflict_rule():
    pilot = school(1)
    assert conflicts(Member("e", f"{COUNTY}/00001"), pilot)  # works at the pilot
    assert conflicts(Member("e", f"{COUNTY}/00001/00009"), pilot)  # under it
    assert conflicts(Member("e", f"{COUNTY}/00077", school="S1"), pilot)  # same school
    assert not conflicts(Member("e", COUNTY), pilot)  # the county office above it
    assert not conflicts(Member("e", f"{COUNTY}/00002", school="S2"), pilot)
    # Materialised paths without separators work the same.
    assert conflicts(Member("e", "000010000200001"), Member("p", "0000100002"))


def test_balanced_and_conflict_free():
    pilots = [school(n) for n in range(1, 7)]
    experts = [Member("county", COUNTY), school(1), school(2), Member("city", "00001")]
    experts[1] = Member("e1", pilots[0].path, school="S1")
    experts[2] = Member("e2", pilots[1].path, school="S2")
    result = propose_panel(pilots, experts, 2)
    loads = {e.id: sum(e.id in v for v in result.values()) for e in experts}
    assert all(len(v) == 2 for v in result.values())
    assert max(loads.values()) - min(loads.values()) <= 1 and sum(loads.values()) == 12
    assert "e1" not in result["S1"] and "e2" not in result["S2"]


def test_kept_pairs_stay_and_short_pilots_are_named():
    pilots = [school(1), school(2)]
    experts = [Member("a", COUNTY), Member("b", COUNTY), Member("c", COUNTY)]
    result = propose_panel(pilots, experts, 1, keep=[("S1", "a"), ("S1", "b")])
    assert result["S1"] == ("a", "b") and result["S2"] == ("c",)
    with pytest.raises(EngineInputError) as exc:
        propose_panel(pilots, [Member("x", pilots[0].path, school="S1")], 1)
    assert exc.value.code == "acceptance_panel_short" and exc.value.params["pilots"] == ["S1"]
    with pytest.raises(EngineInputError):
        propose_panel(pilots, experts, 0)


def test_incomplete_scores_propose_nothing():
    rules = Rules(pass_threshold=80)
    p = propose(rules, [ExpertScore(90)], expected=2)
    assert p.verdict == Verdict.PENDING and p.reasons[0].code == INCOMPLETE
    assert p.reasons[0].get("submitted") == 1 and p.mean == 90
    assert propose(rules, [ExpertScore(90), ExpertScore(88)], expected=2).verdict == Verdict.PASS
    assert propose(rules, [], expected=2).reasons[0].code == NO_SCORES


@st.composite
def worlds(draw):
    n = draw(st.integers(1, 5))
    m = draw(st.integers(1, 5))
    pilots = [school(i) for i in range(1, n + 1)]
    experts = []
    for j in range(m):
        at = draw(st.sampled_from(["county", "own", "other"]))
        k = draw(st.integers(1, n))
        if at == "county":
            experts.append(Member(f"e{j}", COUNTY))
        elif at == "own":
            experts.append(Member(f"e{j}", f"{pilots[k - 1].path}/00001", school=f"S{k}"))
        else:
            experts.append(Member(f"e{j}", f"{COUNTY}/{90 + j:05d}", school=f"X{j}"))
    k = draw(st.integers(1, max(1, m)))
    keep = draw(st.lists(st.tuples(st.sampled_from(pilots), st.sampled_from(experts)), max_size=2))
    keep = [(p.id, e.id) for p, e in keep if not conflicts(e, p)]
    return pilots, experts, k, keep


def best_max_load(pilots, experts, k, keep):
    """Brute force: the least possible highest load."""
    options = []
    for p in pilots:
        fixed = {e for pid, e in keep if pid == p.id}
        free = [e.id for e in experts if not conflicts(e, p) and e.id not in fixed]
        need = max(0, k - len(fixed))
        options.append([fixed | set(c) for c in itertools.combinations(free, need)])
    best = None
    for combo in itertools.product(*options):
        loads = [sum(e.id in s for s in combo) for e in experts]
        best = max(loads) if best is None else min(best, max(loads))
    return best


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_properties(world):
    pilots, experts, k, keep = world
    try:
        result = propose_panel(pilots, experts, k, keep=keep)
    except EngineInputError as exc:
        short = exc.params["pilots"]
        assert short
        for pid in short:
            p = next(p for p in pilots if p.id == pid)
            eligible = {e.id for e in experts if not conflicts(e, p)}
            assert len(eligible | {e for q, e in keep if q == pid}) < k
        return
    by_id = {e.id: e for e in experts}
    for p in pilots:
        chosen = result[p.id]
        assert len(set(chosen)) == len(chosen)
        kept = {e for pid, e in keep if pid == p.id}
        assert kept <= set(chosen)
        assert len(chosen) == max(k, len(kept))
        assert not any(conflicts(by_id[e], p) for e in set(chosen) - kept)
    loads = [sum(e.id in v for v in result.values()) for e in experts]
    assert max(loads) == best_max_load(pilots, experts, k, keep)
