"""The stratified draw: same seed same draw, exact sizes, no unit twice, clear refusals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shidian.engine.errors import EngineInputError
from shidian.engine.sampling import allocate_proportional, stratified_draw

populations = st.dictionaries(
    st.integers(1, 10_000), st.sampled_from(["urban", "rural", "zone-1", "zone-2"]), max_size=60
)


@settings(max_examples=150, deadline=None)
@given(populations, st.data(), st.integers(0, 2**32))
def test_same_seed_same_draw_sizes_exact_no_unit_twice(pop, data, seed):
    size = data.draw(st.integers(0, len(pop)))
    items = list(pop.items())
    first = stratified_draw(items, seed=seed, size=size)
    again = stratified_draw(list(reversed(items)), seed=seed, size=size)
    assert first.chosen == again.chosen
    assert len(first.chosen) == size
    assert len(set(first.chosen)) == size
    assert set(first.chosen) <= set(pop)
    for key, ids in first.by_stratum.items():
        assert all(pop[u] == key for u in ids)
        assert len(ids) == first.allocation[key] <= first.population[key]


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 50), max_size=8), st.data())
def test_largest_remainder_is_exact_and_near_proportional(sizes, data):
    total = data.draw(st.integers(0, sum(sizes.values())))
    alloc = allocate_proportional(sizes, total)
    assert sum(alloc.values()) == total
    available = sum(sizes.values())
    for key, n in sizes.items():
        assert alloc[key] <= n
        if available:
            assert abs(alloc[key] - total * n / available) < 1


def test_fixed_per_stratum():
    pop = [(i, "urban" if i % 2 else "rural") for i in range(1, 21)]
    draw = stratified_draw(pop, seed=7, per_stratum={"urban": 3, "rural": 2})
    assert draw.allocation == {"rural": 2, "urban": 3}
    assert len(draw.chosen) == 5


def test_different_seeds_usually_differ():
    pop = [(i, "s") for i in range(100)]
    assert (
        stratified_draw(pop, seed=1, size=10).chosen != stratified_draw(pop, seed=2, size=10).chosen
    )


@pytest.mark.parametrize(
    "kwargs,code",
    [
        ({"size": 5}, "sampling_too_many"),
        ({"per_stratum": {"x": 1}}, "sampling_unknown_stratum"),
        ({"per_stratum": {"a": 9}}, "sampling_stratum_short"),
        ({}, "sampling_size_mode"),
    ],
)
def test_refusals_have_codes(kwargs, code):
    with pytest.raises(EngineInputError) as err:
        stratified_draw([(1, "a"), (2, "a"), (3, "b")], seed=1, **kwargs)
    assert err.value.code == code


def test_duplicate_unit_refused():
    with pytest.raises(EngineInputError) as err:
        stratified_draw([(1, "a"), (1, "b")], seed=1, size=1)
    assert err.value.code == "sampling_duplicate_unit"
