"""Representative selection (shidian.engine.selection): quotas, relaxation, report, batches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shidian.engine.errors import EngineInputError, InfeasibleError
from shidian.engine.selection import Forced, Quota, SelectionSpec, select_pilots


def candidates(n: int = 300, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": [f"S{i:04d}" for i in range(n)],
            "score": rng.normal(70, 10, n).round(1),
            "zone": rng.choice(["东片区", "西片区", "南片区", "北片区"], n, p=[0.1, 0.2, 0.3, 0.4]),
            "type": rng.choice(["小学", "初中", "高中"], n, p=[0.6, 0.3, 0.1]),
            "rural": rng.choice(["城区", "乡村"], n),
            "students": rng.integers(100, 3000, n),
        }
    )


def spec(**kw) -> SelectionSpec:
    base = dict(count=20, score="score", id_column="id")
    base.update(kw)
    return SelectionSpec(**base)


def test_proportional_quotas_hold_on_every_attribute():
    frame = candidates()
    result = select_pilots(frame, spec(strata=("zone", "type", "rural"), proportional=True))
    assert result.optimal and result.gap is not None and result.gap * result.objective < 0.1
    assert len(result.selected) == 20
    for share in result.shares:
        target = 20 * share.population_share
        assert np.floor(target) <= share.pilots <= np.ceil(target), share
    # Never better than plain top-K, and the price is reported against it.
    assert result.price.selection_total <= result.price.topk_total + 1e-9
    assert result.price.difference == pytest.approx(
        result.price.topk_total - result.price.selection_total
    )
    largest = result.largest_deviation
    assert abs(largest.deviation) == max(abs(s.deviation) for s in result.shares)


def test_without_constraints_selection_is_top_k():
    frame = candidates()
    result = select_pilots(frame, spec(strata=("zone",)))
    top = frame.sort_values("score", ascending=False, kind="stable").head(20)
    assert result.objective == pytest.approx(top.score.sum())
    assert result.price.difference == pytest.approx(0.0)


def test_explicit_quota_min_score_include_exclude():
    frame = candidates()
    best = frame.sort_values("score", ascending=False).id.iloc[0]
    weak = frame[frame.score > 62].sort_values("score").id.iloc[0]
    result = select_pilots(
        frame,
        spec(
            strata=("zone",),
            quotas=(Quota("zone", "东片区", 5, 5), Quota("zone", "北片区", None, 4)),
            min_score=62,
            include=(Forced(weak, "县教育局指定"),),
            exclude=(Forced(best, "已是省级试点"),),
        ),
    )
    chosen = result.selected
    assert (chosen.zone == "东片区").sum() == 5
    assert (chosen.zone == "北片区").sum() <= 4
    assert (chosen.score >= 62).all()
    assert weak in set(chosen.id) and best not in set(chosen.id)
    assert chosen.loc[chosen.id == weak, "forced_reason"].item() == "县教育局指定"
    assert result.forced_out == [Forced(best, "已是省级试点")]


def test_covariate_balance_constraint():
    frame = candidates()
    frame["score"] = frame["score"] + frame["students"] / 100  # big schools score higher
    loose = select_pilots(frame, spec(balance=("students",), max_smd=10))
    tight = select_pilots(frame, spec(balance=("students",), max_smd=0.05))
    assert abs(loose.balance[0].pilots_smd) > 0.05
    assert abs(tight.balance[0].pilots_smd) <= 0.05 + 1e-9
    assert tight.objective <= loose.objective


def test_infeasible_names_the_stratum_and_the_relaxation():
    frame = pd.DataFrame(
        {
            "id": ["A", "B", "C", "D", "E", "F"],
            "score": [90, 85, 80, 75, 50, 40],
            "zone": ["东片区", "西片区", "西片区", "西片区", "东片区", "东片区"],
        }
    )
    with pytest.raises(InfeasibleError) as info:
        select_pilots(
            frame,
            spec(
                count=3, strata=("zone",), quotas=(Quota("zone", "东片区", 2, None),), min_score=60
            ),
        )
    assert info.value.relaxations == [
        "zone 东片区 needs 2 pilots but has only 1 candidate above the minimum score "
        "(lower its minimum to 1)"
    ]
    (detail,) = info.value.details
    assert detail["code"] == "quota_min_pool" and detail["stratum"] == "东片区"
    assert (detail["bound"], detail["relaxed_to"], detail["eligible"]) == (2, 1, 1)
    assert (detail["attribute"], detail["needed"], detail["allowed"]) == ("zone", 2, 1)
    assert info.value.code == "infeasible"


def test_infeasible_between_quotas_names_what_to_change():
    frame = candidates(60)
    with pytest.raises(InfeasibleError) as info:
        select_pilots(
            frame,
            spec(
                count=10,
                strata=("zone",),
                quotas=(Quota("zone", "东片区", 4, None), Quota("zone", "西片区", 7, None)),
            ),
        )
    (message,) = info.value.relaxations
    assert "needs at least" in message and "lower its minimum to" in message


@pytest.mark.parametrize(
    ("frame_change", "match"),
    [
        (lambda f: f.assign(score=f.score.astype(object).where(f.index != 4, "优")), "row 6"),
        (lambda f: f.assign(id=f.id.where(f.index != 7, "S0001")), "appears more than once"),
        (lambda f: f.drop(columns=["zone"]), "missing column"),
    ],
)
def test_bad_input_names_row_or_column(frame_change, match):
    with pytest.raises(EngineInputError, match=match):
        select_pilots(frame_change(candidates()), spec(strata=("zone",)))


def test_count_too_large_and_unknown_ids():
    frame = candidates(30)
    with pytest.raises(EngineInputError, match="cannot be filled"):
        select_pilots(frame, spec(count=25, min_score=70))
    with pytest.raises(EngineInputError, match="'NOPE' is not among the candidates"):
        select_pilots(frame, spec(include=(Forced("NOPE"),)))
    with pytest.raises(EngineInputError, match="no candidate has this value"):
        select_pilots(frame, spec(strata=("zone",), quotas=(Quota("zone", "中片区", 1, 2),)))


def test_batches_by_rank_and_balanced():
    frame = candidates()
    by_rank = select_pilots(frame, spec(strata=("zone",), proportional=True, batches=(8, 8, 4)))
    ordered = by_rank.selected.sort_values("rank")
    assert ordered.batch.tolist() == [1] * 8 + [2] * 8 + [3] * 4
    balanced = select_pilots(
        frame,
        spec(strata=("zone", "type"), proportional=True, batches=(8, 8, 4), balanced_batches=True),
    )
    assert sorted(balanced.selected.batch.value_counts().tolist()) == [4, 8, 8]
    # Each batch within floor/ceil of its share of the selection per zone.
    sel = balanced.selected
    for zone, group in sel.groupby("zone"):
        for batch, size in ((1, 8), (2, 8), (3, 4)):
            target = len(group) * size / 20
            got = int((group.batch == batch).sum())
            assert np.floor(target) <= got <= np.ceil(target), (zone, batch)
    with pytest.raises(EngineInputError, match="adds up to 19"):
        select_pilots(frame, spec(batches=(5, 5, 9)))


def test_deterministic_and_no_nan():
    frame = candidates()
    a = select_pilots(frame, spec(strata=("zone", "type"), proportional=True, seed=3))
    b = select_pilots(frame, spec(strata=("zone", "type"), proportional=True, seed=3))
    pd.testing.assert_frame_equal(a.selected, b.selected)
    assert not a.selected.isna().any().any()


def test_time_limit_never_claims_optimality(monkeypatch):
    from shidian.engine.selection import relax
    from shidian.engine.selection.milp import MilpSolution

    real = relax.solve_binary_program

    def stopped(*args, **kwargs):
        solution = real(*args, **kwargs)
        return MilpSolution(
            status="time_limit",
            optimal=False,
            x=solution.x,
            objective=solution.objective,
            bound=(solution.objective or 0) + 1.0,
            gap=0.0123,
            n_variables=solution.n_variables,
            n_constraints=solution.n_constraints,
            seconds=solution.seconds,
        )

    monkeypatch.setattr(relax, "solve_binary_program", stopped)
    result = select_pilots(candidates(), spec(strata=("zone",), proportional=True))
    assert result.status == "time_limit" and not result.optimal and result.gap == 0.0123


def test_objective_step_is_the_score_granularity():
    from shidian.engine.selection.milp import objective_step

    assert objective_step(np.array([90.0, 85.5, 70.25])) == 0.01
    assert objective_step(np.array([3.0, 7.0])) == 1.0
    assert objective_step(np.array([1 / 3, 0.5])) is None
