"""Property tests: the selection meets every quota when feasible, is optimal (checked by brute
force on small instances) and so never worse than plain top-K when top-K is feasible."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shidian.engine.errors import InfeasibleError
from shidian.engine.selection import Quota, SelectionSpec, select_pilots


@st.composite
def instances(draw):
    n = draw(st.integers(4, 10))
    k = draw(st.integers(1, min(4, n)))
    scores = draw(st.lists(st.integers(0, 100), min_size=n, max_size=n))
    zones = draw(st.lists(st.sampled_from(["东", "西", "南"]), min_size=n, max_size=n))
    kinds = draw(st.lists(st.sampled_from(["小学", "初中"]), min_size=n, max_size=n))
    quotas = []
    for attribute, labels in (("zone", zones), ("kind", kinds)):
        for value in sorted(set(labels)):
            if draw(st.booleans()):
                low = draw(st.integers(0, min(2, k)))
                high = draw(st.integers(low, k))
                quotas.append(Quota(attribute, value, low, high))
    min_score = draw(st.one_of(st.none(), st.integers(0, 60)))
    frame = pd.DataFrame(
        {"id": [f"u{i}" for i in range(n)], "score": scores, "zone": zones, "kind": kinds}
    )
    return frame, k, tuple(quotas), min_score


def feasible(frame: pd.DataFrame, subset: tuple[int, ...], quotas, min_score) -> bool:
    part = frame.iloc[list(subset)]
    if min_score is not None and (part.score < min_score).any():
        return False
    for q in quotas:
        count = int((part[q.attribute] == q.stratum).sum())
        if not q.min <= count <= q.max:
            return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_selection_is_optimal_and_meets_every_quota(instance):
    frame, k, quotas, min_score = instance
    best = None
    for subset in itertools.combinations(range(len(frame)), k):
        if feasible(frame, subset, quotas, min_score):
            total = int(frame.score.iloc[list(subset)].sum())
            best = total if best is None else max(best, total)
    spec = SelectionSpec(
        count=k,
        score="score",
        id_column="id",
        strata=("zone", "kind"),
        quotas=quotas,
        min_score=min_score,
    )
    eligible = len(frame) if min_score is None else int((frame.score >= min_score).sum())
    if best is None:
        try:
            select_pilots(frame, spec)
        except InfeasibleError as exc:
            assert exc.relaxations, "an infeasible selection must name what to relax"
        except Exception as exc:  # too few eligible candidates is a plain input error
            assert eligible < k, exc
        else:
            raise AssertionError("brute force found no feasible selection")
        return
    result = select_pilots(frame, spec)
    chosen = frame.index[frame.id.isin(result.selected.id)]
    assert len(chosen) == k
    assert feasible(frame, tuple(chosen), quotas, min_score)
    assert result.optimal
    assert result.objective == best
    top = tuple(np.argsort(-frame.score.to_numpy(), kind="stable")[:k])
    if feasible(frame, top, quotas, min_score):
        assert result.objective >= frame.score.iloc[list(top)].sum()
