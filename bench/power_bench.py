"""The design check's engine and the batches MILP, timed and checked against their baselines.

    python bench/power_bench.py

1. Minimum detectable effect (t test): ``shidian.engine.power`` against statsmodels'
   ``TTestIndPower().solve_power`` on a grid of designs (pilots 5..80, controls 1..5 per pilot,
   alpha 1/5/10%, power 70/80/90%): time per figure and the accuracy, measured as
   |power at the returned effect - wanted power| with statsmodels' own ``power()``.
2. Batches: ``balanced_batches`` against ``batches_by_rank`` for 14 pilots (5/5/4) and 80
   pilots (20 x 4) over three attributes: time and the worst batch's largest deviation.
"""

from __future__ import annotations

import itertools
import time
import warnings

import numpy as np
from statsmodels.stats.power import TTestIndPower

from shidian.engine.power import minimum_detectable_effect
from shidian.engine.selection.batches import balanced_batches, batch_report, batches_by_rank


def bench_power() -> None:
    grid = list(
        itertools.product([5, 14, 30, 80], [1, 2, 3, 5], [0.01, 0.05, 0.1], [0.7, 0.8, 0.9])
    )
    sm = TTestIndPower()
    ours_err, theirs_err, failures = [], [], 0
    t0 = time.perf_counter()
    ours = [minimum_detectable_effect(n, r * n, 1.0, alpha=a, power=p) for n, r, a, p in grid]
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = [
            sm.solve_power(effect_size=None, nobs1=n, ratio=r, alpha=a, power=p)
            for n, r, a, p in grid
        ]
    t_theirs = time.perf_counter() - t0
    for (n, r, a, p), mine, sm_d in zip(grid, ours, theirs, strict=True):
        ours_err.append(abs(sm.power(effect_size=mine.effect_size, nobs1=n, ratio=r, alpha=a) - p))
        try:
            theirs_err.append(abs(sm.power(effect_size=float(sm_d), nobs1=n, ratio=r, alpha=a) - p))
        except (TypeError, ValueError):
            failures += 1
    n = len(grid)
    print(f"MDE, {n} designs")
    print(
        f"  shidian.engine.power : {t_ours / n * 1e3:7.2f} ms/figure, "
        f"max |power error| {max(ours_err):.1e}"
    )
    print(
        f"  statsmodels          : {t_theirs / n * 1e3:7.2f} ms/figure, "
        f"max |power error| {max(theirs_err):.1e}, failures {failures}"
    )


def bench_batches() -> None:
    rng = np.random.default_rng(1)
    for k, sizes in ((14, (5, 5, 4)), (80, (20, 20, 20, 20))):
        labels = {
            "school_type": rng.choice(["primary", "junior", "nine"], k),
            "locality": rng.choice(["urban", "rural"], k, p=[0.65, 0.35]),
            "zone": rng.choice([f"Z{i}" for i in range(6)], k),
        }
        score = np.sort(rng.uniform(60, 98, k))[::-1]
        for name, fn in (
            ("by rank", lambda k=k, sizes=sizes: batches_by_rank(k, sizes)),
            (
                "balanced",
                lambda labels=labels, sizes=sizes: balanced_batches(labels, sizes, time_limit=30),
            ),
        ):
            t0 = time.perf_counter()
            batch = fn()
            seconds = time.perf_counter() - t0
            worst = max(r.max_abs_deviation for r in batch_report(batch, score, labels, labels))
            print(
                f"batches k={k:3d} {name:9s}: {seconds * 1e3:8.1f} ms, worst deviation {worst:.3f}"
            )


if __name__ == "__main__":
    bench_power()
    bench_batches()
