"""Expert assignment: constraints always hold, the flow is optimal, infeasibility is explained."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shidian.engine.assignment import (
    assign_experts,
    build_problem,
    eligibility,
    lp_bound,
    parse_path,
)
from shidian.engine.errors import EngineInputError, InfeasibleError


def test_parse_path_formats():
    assert parse_path("0000100002") == ("00001", "00002")
    assert parse_path(100002) == ("00001", "00002")  # a spreadsheet dropped the leading zeros
    assert parse_path(100002.0) == ("00001", "00002")
    assert parse_path("省/市/县") == ("省", "市", "县")
    assert parse_path("A.B") == ("A", "B")
    assert parse_path("C7") == ("C7",)
    assert parse_path("") == ()


def _tree(n_units, n_experts, n_counties, rng, *, province=True):
    county = rng.integers(1, n_counties + 1, n_units)
    units = pd.DataFrame(
        {
            "id": [f"S{i}" for i in range(n_units)],
            "path": [f"00001{c:05d}{i + 1:05d}" for i, c in enumerate(county)],
            "type": rng.choice(["小学", "初中", "高中"], n_units),
        }
    )
    # 0: the province itself, which conflicts with every unit
    e_county = rng.integers(0 if province else 1, n_counties + 1, n_experts)
    experts = pd.DataFrame(
        {
            "id": [f"E{j}" for j in range(n_experts)],
            "org": [f"C{c}" for c in e_county],
            "org_path": ["00001" if c == 0 else f"00001{c:05d}" for c in e_county],
            "expertise": rng.choice(["小学", "初中", "高中", "小学;初中"], n_experts),
        }
    )
    return units, experts


def _check(problem, result):
    pairs = result.pairs
    ok = eligibility(problem)
    u = {x: i for i, x in enumerate(problem.unit_ids)}
    e = {x: j for j, x in enumerate(problem.expert_ids)}
    # every unit gets exactly r distinct experts
    counts = pairs.groupby("unit")["expert"].nunique()
    assert len(counts) == len(problem.unit_ids)
    assert (counts == problem.per_unit).all()
    assert not pairs.duplicated(["unit", "expert"]).any()
    # no conflict of interest, at most one expert per organisation on a unit
    assert all(ok[u[a], e[b]] for a, b in zip(pairs["unit"], pairs["expert"], strict=True))
    assert not pairs.duplicated(["unit", "expert_org"]).any()
    # loads within bounds
    loads = result.loads.set_index("expert")["load"]
    assert (loads.to_numpy() >= problem.min_load).all()
    assert (loads.to_numpy() <= problem.max_load).all()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_units=st.integers(3, 25),
    n_experts=st.integers(4, 12),
    n_counties=st.integers(2, 5),
    r=st.integers(1, 3),
    seed=st.integers(0, 10_000),
    slack=st.sampled_from([None, 2, 5]),
)
def test_property_assignment_respects_every_constraint_and_is_optimal(
    n_units, n_experts, n_counties, r, seed, slack
):
    rng = np.random.default_rng(seed)
    units, experts = _tree(n_units, n_experts, n_counties, rng)
    aff = pd.DataFrame(
        {
            "expert": rng.choice(experts["id"], 30),
            "unit": rng.choice(units["id"], 30),
            "affinity": rng.random(30).round(3),
        }
    ).drop_duplicates(["expert", "unit"])
    problem = build_problem(units, experts, per_unit=r, match=[("type", "expertise")], affinity=aff)
    try:
        result = assign_experts(problem, seed=seed)
    except InfeasibleError as exc:
        assert exc.relaxations  # always explained
        return
    _check(problem, result)
    # total unimodularity: the flow optimum equals the LP bound (up to cost rounding)
    bound = lp_bound(problem)
    assert result.total_affinity == pytest.approx(bound, abs=1e-3 * max(1, bound))


def test_same_seed_same_assignment_and_balanced_loads():
    rng = np.random.default_rng(3)
    units, experts = _tree(40, 15, 5, rng, province=False)
    experts["org"] = [f"C{j % 5 + 1}" for j in range(15)]  # 3 experts in each county
    experts["org_path"] = [f"00001{j % 5 + 1:05d}" for j in range(15)]
    problem = build_problem(units, experts, per_unit=3, match=[("type", "expertise")])
    a = assign_experts(problem, seed=7)
    b = assign_experts(problem, seed=7)
    pd.testing.assert_frame_equal(a.pairs, b.pairs)
    assert a.load_min == a.load_max == 8  # 120 reviews over 15 experts: exactly 8 each


def test_conflicts_by_subtree_and_reverse():
    units = pd.DataFrame({"id": ["county", "school"], "path": ["0000100002", "000010000200003"]})
    experts = pd.DataFrame(
        {
            "id": ["from_school", "from_county", "from_elsewhere"],
            "org": ["school", "county", "other"],
            "org_path": ["000010000200003", "0000100002", "0000100009"],
        }
    )
    problem = build_problem(units, experts, per_unit=1, max_load=2)
    ok = eligibility(problem)
    # the county expert may not review the county or its school; the school's expert may not
    # review the county above their school either
    assert ok.tolist() == [[False, False, True], [False, False, True]]


def test_one_expert_per_organisation_on_a_unit():
    units = pd.DataFrame({"id": ["U1", "U2"]})
    experts = pd.DataFrame({"id": ["A1", "A2", "B1"], "org": ["A", "A", "B"]})
    # each unit needs 2 experts but only 2 organisations exist: A1/A2 can never share a unit
    result = assign_experts(build_problem(units, experts, per_unit=2, min_load=0, max_load=2))
    assert not result.pairs.duplicated(["unit", "expert_org"]).any()
    assert (result.pairs.groupby("unit").size() == 2).all()


def test_affinity_is_maximised():
    units = pd.DataFrame({"id": ["U1", "U2"], "type": ["小学", "高中"]})
    experts = pd.DataFrame(
        {"id": ["E1", "E2"], "org": ["A", "B"], "expertise": ["高中", "小学、初中"]}
    )
    result = assign_experts(
        build_problem(units, experts, per_unit=1, match=[("type", "expertise")])
    )
    assert dict(zip(result.pairs["unit"], result.pairs["expert"], strict=True)) == {
        "U1": "E2",
        "U2": "E1",
    }
    assert result.lowest_unit_affinity == 1.0


def test_infeasible_unit_named_with_its_eligible_experts():
    units = pd.DataFrame({"id": ["X", "Y"]})
    experts = pd.DataFrame({"id": ["E1", "E2", "E3"], "org": ["X", "B", "C"]})
    with pytest.raises(InfeasibleError) as info:
        assign_experts(build_problem(units, experts, per_unit=3, max_load=5))
    text = " ".join(info.value.relaxations)
    assert "unit X has only 2 eligible expert(s) from 2 organisation(s) for r=3" in text


def test_infeasible_loads_explained():
    units = pd.DataFrame({"id": [f"U{i}" for i in range(10)]})
    experts = pd.DataFrame({"id": ["E1", "E2"], "org": ["A", "B"]})
    with pytest.raises(InfeasibleError) as info:
        assign_experts(build_problem(units, experts, per_unit=2, max_load=8))
    assert "raise --max-load to at least 10" in " ".join(info.value.relaxations)


def test_flow_shortage_explained_when_counts_look_fine():
    # U1 and U2 may only be reviewed by E1/E2 (the others belong to them); E1/E2 cap at 1 each
    units = pd.DataFrame({"id": ["U1", "U2", "U3"], "path": ["P/a", "P/b", "Q/c"]})
    experts = pd.DataFrame(
        {
            "id": ["E1", "E2", "E3", "E4"],
            "org": ["Q", "R", "P", "P2"],
            "org_path": ["Q", "R", "P", "P/b"],
            "max_load": [1, 1, 3, 3],
        }
    )
    with pytest.raises(InfeasibleError) as info:
        assign_experts(build_problem(units, experts, per_unit=2, min_load=0))
    assert any("maximum load" in line for line in info.value.relaxations)


def test_bad_inputs_name_the_problem():
    units = pd.DataFrame({"id": ["U1", "U1"]})
    experts = pd.DataFrame({"id": ["E1"], "org": ["A"]})
    with pytest.raises(EngineInputError, match="appears more than once"):
        build_problem(units, experts, per_unit=1)
    with pytest.raises(EngineInputError, match="missing column 'org'"):
        build_problem(pd.DataFrame({"id": ["U1"]}), pd.DataFrame({"id": ["E1"]}), per_unit=1)
    with pytest.raises(EngineInputError, match="paths are given for the units"):
        build_problem(pd.DataFrame({"id": ["U1"], "path": ["00001"]}), experts, per_unit=1)
    with pytest.raises(EngineInputError, match="minimum load 3 is above the maximum load 2"):
        build_problem(pd.DataFrame({"id": ["U1"]}), experts, per_unit=1, min_load=3, max_load=2)
