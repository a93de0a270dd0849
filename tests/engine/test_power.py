"""The minimum detectable effect (engine.power): figures, against statsmodels, properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.power import NormalIndPower, TTestIndPower

from shidian.engine.errors import EngineInputError
from shidian.engine.power import mde_curve, minimum_detectable_effect

# Designs on which statsmodels' own solver converges to better than 1e-6 (it stops near 1e-6
# on some others, where its power() at our answer still hits the target to 1e-10: see below).
TABLE = [
    (14, 28, 0.05, 0.8),
    (14, 42, 0.05, 0.8),
    (5, 10, 0.05, 0.9),
    (20, 20, 0.05, 0.8),
    (14, 70, 0.01, 0.8),
    (3, 1, 0.05, 0.8),
    (40, 200, 0.05, 0.8),
    (8, 16, 0.05, 0.8),
]


def test_normal_formula_by_hand():
    r = minimum_detectable_effect(14, 28, 10.0, method="normal")
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert r.effect == pytest.approx(z * 10 * math.sqrt(1 / 14 + 1 / 28), abs=1e-12)
    assert r.effect == pytest.approx(9.17, abs=0.01)  # 2.8016 * 10 * 0.3273
    assert r.factor == 1.0


@pytest.mark.parametrize(("n_t", "n_c", "alpha", "power"), TABLE)
def test_t_matches_statsmodels_solve_power(n_t, n_c, alpha, power):
    mine = minimum_detectable_effect(n_t, n_c, 1.0, alpha=alpha, power=power).effect_size
    theirs = TTestIndPower().solve_power(
        effect_size=None, nobs1=n_t, ratio=n_c / n_t, alpha=alpha, power=power
    )
    assert abs(mine - theirs) < 1e-6


@pytest.mark.parametrize(("n_t", "n_c", "alpha", "power"), TABLE)
def test_normal_matches_statsmodels_one_tail(n_t, n_c, alpha, power):
    # The closed form counts the near rejection tail only: statsmodels' one-sided normal test
    # at alpha/2 is exactly that.
    mine = minimum_detectable_effect(n_t, n_c, 1.0, alpha=alpha, power=power, method="normal")
    theirs = NormalIndPower().solve_power(
        effect_size=None,
        nobs1=n_t,
        ratio=n_c / n_t,
        alpha=alpha / 2,
        power=power,
        alternative="larger",
    )
    assert abs(mine.effect_size - theirs) < 1e-5


@settings(max_examples=60, deadline=None)
@given(
    n_t=st.integers(4, 60),  # statsmodels' own nct series gives nan on df < 6 at alpha 1%
    n_c=st.integers(4, 300),
    alpha=st.sampled_from([0.01, 0.05, 0.1]),
    power=st.floats(0.5, 0.95),
)
def test_t_effect_gives_the_power_statsmodels_computes(n_t, n_c, alpha, power):
    d = minimum_detectable_effect(n_t, n_c, 1.0, alpha=alpha, power=power).effect_size
    got = TTestIndPower().power(effect_size=d, nobs1=n_t, ratio=n_c / n_t, alpha=alpha)
    assert got == pytest.approx(power, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    n_t=st.integers(2, 50),
    n_c=st.integers(2, 200),
    sigma=st.floats(0.1, 50),
    method=st.sampled_from(["normal", "t"]),
)
def test_monotone_in_controls_and_symmetric(n_t, n_c, sigma, method):
    here = minimum_detectable_effect(n_t, n_c, sigma, method=method).effect
    more = minimum_detectable_effect(n_t, n_c + 1, sigma, method=method).effect
    swapped = minimum_detectable_effect(n_c, n_t, sigma, method=method).effect
    assert more < here
    assert swapped == pytest.approx(here, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    n_t=st.integers(2, 50),
    n_c=st.integers(2, 200),
    p1=st.floats(0.5, 0.9),
    p2=st.floats(0.5, 0.9),
    method=st.sampled_from(["normal", "t"]),
)
def test_monotone_in_power(n_t, n_c, p1, p2, method):
    lo, hi = sorted((p1, p2))
    if hi - lo < 1e-6:
        return
    a = minimum_detectable_effect(n_t, n_c, 5.0, power=lo, method=method).effect
    b = minimum_detectable_effect(n_t, n_c, 5.0, power=hi, method=method).effect
    assert a < b


@settings(max_examples=40, deadline=None)
@given(n_t=st.integers(2, 40), n_c=st.integers(2, 120), rho=st.floats(-0.95, 0.95))
def test_pre_post_reduction_and_scale(n_t, n_c, rho):
    post = minimum_detectable_effect(n_t, n_c, 8.0)
    pre_post = minimum_detectable_effect(n_t, n_c, 8.0, rho=rho)
    assert pre_post.effect == pytest.approx(post.effect * math.sqrt(1 - rho**2), rel=1e-12)
    assert minimum_detectable_effect(n_t, n_c, 16.0).effect == pytest.approx(2 * post.effect)


def test_t_exceeds_normal_and_converges():
    small_t = minimum_detectable_effect(5, 5, 1.0).effect_size
    small_z = minimum_detectable_effect(5, 5, 1.0, method="normal").effect_size
    assert small_t > small_z
    big_t = minimum_detectable_effect(5000, 5000, 1.0).effect_size
    big_z = minimum_detectable_effect(5000, 5000, 1.0, method="normal").effect_size
    assert big_t == pytest.approx(big_z, rel=1e-3)


def test_tiny_df_still_solves():
    r = minimum_detectable_effect(2, 1, 1.0)
    got = TTestIndPower().power(effect_size=r.effect_size, nobs1=2, ratio=0.5, alpha=0.05)
    assert got == pytest.approx(0.8, abs=1e-9)


def test_curve_and_doubling():
    curve = mde_curve(14, range(1, 6), 10.0)
    assert [r.design.n_c for r in curve] == [14, 28, 42, 56, 70]
    effects = [r.effect for r in curve]
    assert effects == sorted(effects, reverse=True)
    # Doubling the controls from 28 to 56 buys less than going from 14 to 28.
    assert effects[0] - effects[1] > effects[1] - effects[3]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_t": 0, "n_c": 3},
        {"n_t": 1, "n_c": 1},
        {"n_t": 3, "n_c": 3, "alpha": 0},
        {"n_t": 3, "n_c": 3, "power": 1},
        {"n_t": 3, "n_c": 3, "sigma": -1},
        {"n_t": 3, "n_c": 3, "rho": 1},
    ],
)
def test_bad_inputs_say_what(kwargs):
    args = {"sigma": 1.0, **kwargs}
    with pytest.raises(EngineInputError) as info:
        minimum_detectable_effect(args.pop("n_t"), args.pop("n_c"), args.pop("sigma"), **args)
    assert info.value.code and info.value.code.startswith("power.")
