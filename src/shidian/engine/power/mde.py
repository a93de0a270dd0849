"""The minimum detectable effect (MDE) of a comparison of two group means.

With ``n_t`` treated units (pilots), ``n_c`` controls, a common standard deviation ``sigma``
of the outcome, a two-sided test at level ``alpha`` and the wanted ``power``:

    MDE = (z_{1-alpha/2} + z_{power}) * sigma * sqrt(1/n_t + 1/n_c)        (normal)

(Bloom, H. S. 1995, "Minimum Detectable Effects: A Simple Way to Report the Statistical Power
of Experimental Designs", Evaluation Review 19(5): 547-556; Duflo, Glennerster & Kremer 2007,
"Using Randomization in Development Economics Research: A Toolkit", eq. 6). The normal formula
ignores the far rejection tail and treats sigma as known.

On small samples the test is a t test with ``df = n_t + n_c - 2``: the exact MDE is the
standardised effect ``d`` at which the noncentral t distribution with noncentrality
``d * sqrt(n_t * n_c / (n_t + n_c))`` rejects with probability ``power`` (both tails counted),
found by root finding (Brent) from the approximation ``(t_{1-alpha/2,df} + t_{power,df}) * SE``
(Cohen, J. 1988, *Statistical Power Analysis for the Behavioral Sciences*, ch. 2; the same
equation statsmodels' ``TTestIndPower`` solves).

A pre/post design that adjusts for the baseline (ANCOVA; difference-in-differences is close to
it when the pre-post correlation is high) has residual SD ``sigma * sqrt(1 - rho^2)`` where
``rho`` is the pre-post correlation of the outcome (Borm, Fransen & Lemmens 2007, "A simple
sample size formula for analysis of covariance in randomized clinical trials", J. Clin.
Epidemiol. 60: 1234-1238); the MDE shrinks by the same factor. The degrees of freedom are kept
at ``n_t + n_c - 2`` (one fewer for the covariate changes the figure by far less than rounding).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from scipy import optimize, stats

from shidian.engine.errors import EngineInputError

Method = Literal["normal", "t"]


@dataclass(frozen=True)
class Design:
    """The inputs of one MDE figure."""

    n_t: int
    n_c: int
    sigma: float
    alpha: float = 0.05
    power: float = 0.8
    method: Method = "t"
    rho: float | None = None  # pre-post correlation; None: a post-only comparison


@dataclass(frozen=True)
class MdeResult:
    design: Design
    effect: float  # in the outcome's units (points)
    effect_size: float  # in SD units (Cohen's d) of the post-only comparison
    factor: float  # sqrt(1 - rho^2), 1 without rho
    standard_error: float  # sigma * factor * sqrt(1/n_t + 1/n_c)


def _check(design: Design) -> None:
    if design.n_t < 1 or design.n_c < 1:
        raise EngineInputError(
            f"n_t={design.n_t}, n_c={design.n_c}: both groups need at least one unit.",
            code="power.groups",
            params={"n_t": design.n_t, "n_c": design.n_c},
        )
    if design.method == "t" and design.n_t + design.n_c < 3:
        raise EngineInputError(
            "the t test needs at least 3 units in all (df = n_t + n_c - 2 >= 1).",
            code="power.df",
        )
    if not (0 < design.alpha < 1):
        raise EngineInputError(
            f"alpha={design.alpha}: must lie between 0 and 1.", code="power.alpha"
        )
    if not (0 < design.power < 1):
        raise EngineInputError(
            f"power={design.power}: must lie between 0 and 1.", code="power.power"
        )
    if not (math.isfinite(design.sigma) and design.sigma >= 0):
        raise EngineInputError(
            f"sigma={design.sigma}: must be a finite number >= 0.", code="power.sigma"
        )
    if design.rho is not None and not (-1 < design.rho < 1):
        raise EngineInputError(
            f"rho={design.rho}: must lie strictly between -1 and 1.", code="power.rho"
        )
    if design.method not in ("normal", "t"):
        raise EngineInputError(
            f"method={design.method!r}: use 'normal' or 't'.", code="power.method"
        )


def _t_power(d: float, n_t: int, n_c: int, alpha: float) -> float:
    """Power of the two-sided two-sample t test at standardised effect ``d`` (both tails)."""
    df = n_t + n_c - 2
    nc = d * math.sqrt(n_t * n_c / (n_t + n_c))
    crit = float(stats.t.isf(alpha / 2, df))
    upper = float(stats.nct.sf(crit, df, nc))
    if not math.isfinite(upper):  # scipy's series can fail far in the tail on tiny df
        upper = 1.0 - float(stats.nct.cdf(crit, df, nc))
    lower = float(stats.nct.cdf(-crit, df, nc))
    return min(1.0, upper + (lower if math.isfinite(lower) else 0.0))


def _t_effect_size(n_t: int, n_c: int, alpha: float, power: float) -> float:
    """The standardised effect the t test detects with probability ``power``."""
    df = n_t + n_c - 2
    scale = math.sqrt(1 / n_t + 1 / n_c)
    start = (float(stats.t.isf(alpha / 2, df)) + float(stats.t.ppf(power, df))) * scale
    if _t_power(0.0, n_t, n_c, alpha) >= power:
        return 0.0  # power below alpha: any effect (even none) is "detected" that often
    hi = max(start, 1e-6)
    while _t_power(hi, n_t, n_c, alpha) < power:
        hi *= 1.25
    return float(
        optimize.brentq(
            lambda d: _t_power(d, n_t, n_c, alpha) - power, 0.0, hi, xtol=1e-12, rtol=1e-12
        )
    )


def minimum_detectable_effect(
    n_t: int,
    n_c: int,
    sigma: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    method: Method = "t",
    rho: float | None = None,
) -> MdeResult:
    """The smallest true difference of means (pilots minus controls, in ``sigma``'s units)
    that a two-sided test at ``alpha`` finds with probability ``power`` (see the module
    docstring for the formulas and their sources).

    ``method="normal"``: the closed form ``(z_{1-a/2} + z_power) * SE``; ``method="t"``: the
    exact two-sample t test (df = n_t + n_c - 2). ``rho`` (optional): the pre-post correlation
    of a design that adjusts for the baseline; the MDE is multiplied by ``sqrt(1 - rho^2)``.
    Raises ``EngineInputError`` for impossible inputs.
    """
    design = Design(int(n_t), int(n_c), float(sigma), float(alpha), float(power), method, rho)
    _check(design)
    scale = math.sqrt(1 / design.n_t + 1 / design.n_c)
    if method == "normal":
        z = float(stats.norm.isf(design.alpha / 2)) + float(stats.norm.ppf(design.power))
        d = z * scale
    else:
        d = _t_effect_size(design.n_t, design.n_c, design.alpha, design.power)
    factor = math.sqrt(1 - rho**2) if rho is not None else 1.0
    return MdeResult(
        design=design,
        effect=d * design.sigma * factor,
        effect_size=d,
        factor=factor,
        standard_error=design.sigma * factor * scale,
    )


def mde_curve(
    n_t: int,
    ratios: list[int] | range,
    sigma: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    method: Method = "t",
    rho: float | None = None,
) -> list[MdeResult]:
    """The MDE with ``n_t`` pilots and ``r * n_t`` controls for each ``r`` of ``ratios``."""
    return [
        minimum_detectable_effect(
            n_t, r * n_t, sigma, alpha=alpha, power=power, method=method, rho=rho
        )
        for r in ratios
    ]
