"""The balance panel and move checks (engine.grouping.panel)."""

import time

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shidian.engine.grouping.panel import BalancePanel, balance_panel
from shidian.engine.grouping.report import feature_balance


def _panel(n=40, k=4, seed=0, **kw):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % k
    leads = np.arange(k)
    coords = np.column_stack([30 + rng.random(n) * 0.2, 120 + rng.random(n) * 0.2])
    return BalancePanel(
        features=rng.normal(size=(n, 2)),
        feature_names=["a", "b"],
        categories=rng.integers(0, 2, size=(n, 1)),
        category_names=["locality"],
        category_levels=[["urban", "rural"]],
        labels=labels,
        k=k,
        leads=leads,
        coords=coords,
        **kw,
    )


def test_summary_matches_report():
    p = _panel()
    s = p.summary()
    ref = feature_balance(p.x, p.labels, p.k, ["a", "b"])
    assert [f.max_deviation_sd for f in s.features] == [f.max_deviation_sd for f in ref]
    assert sum(sum(row) for row in s.categories[0]["counts"]) == 40
    assert s.sizes == [10, 10, 10, 10]
    assert s.lead_km[0] == 0.0 and s.worst_km is not None


def test_moving_a_lead_is_refused():
    p = _panel()
    assert [b.code for b in p.check_move(0, 1)] == ["lead"]


def test_distance_apart_and_sizes():
    p = _panel(max_km=0.001, apart=[(6, 1)], size_min=10, size_max=10)
    codes = {b.code for b in p.check_move(6, 1)}
    assert codes == {"max_km", "apart", "size_min", "size_max"}
    assert p.move(6, 1)  # refused, nothing changed
    assert p.labels[6] == 2


def test_allowed_move_updates_counts():
    p = _panel()
    before = p.summary().categories[0]["counts"]
    assert p.move(5, 2) == []
    after = p.summary()
    assert after.sizes[1] == 9 and after.sizes[2] == 11
    assert sum(map(sum, after.categories[0]["counts"])) == sum(map(sum, before))


def test_unknown_group():
    assert _panel().check_move(5, 9)[0].code == "group"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(4, 39), st.integers(0, 3)), max_size=30))
def test_incremental_counts_equal_recount(moves):
    p = _panel()
    for item, g in moves:
        p.move(item, g)
    sizes = p.sizes.copy()
    counts = [c.copy() for c in p.cat_counts]
    p._recount()
    assert np.array_equal(sizes, p.sizes)
    assert all(np.array_equal(a, b) for a, b in zip(counts, p.cat_counts, strict=True))


def test_fast_at_county_scale():
    rng = np.random.default_rng(1)
    n, k = 7167, 80
    labels = rng.integers(0, k, size=n)
    leads = np.array([np.flatnonzero(labels == g)[0] for g in range(k)])
    kw = dict(
        features=rng.normal(size=(n, 5)),
        categories=rng.integers(0, 3, size=(n, 2)),
        labels=labels,
        k=k,
        leads=leads,
        coords=np.column_stack([30 + rng.random(n), 120 + rng.random(n)]),
        max_km=30.0,
        apart=[(int(a), int(b)) for a, b in rng.integers(0, n, size=(200, 2)) if a != b],
    )
    t0 = time.perf_counter()
    p = BalancePanel(**kw)
    p.check_move(int(np.setdiff1d(np.arange(n), leads)[0]), 3)
    p.summary()
    assert time.perf_counter() - t0 < 0.2
    assert len(balance_panel(**kw).features) == 5
