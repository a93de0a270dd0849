"""DiD benchmark: 50,000 units x 10 periods, TWFE with clustered SEs.

Compares `shidian.engine.did.run_did` (panel checks + linearmodels) with a direct linearmodels
PanelOLS call and, when installed, pyfixest's feols on the same data in the same run; prints the
estimates, their differences, SEs and times. The robust (Callaway-Sant'Anna) run is timed too.

    PYTHONPATH=src python bench/did_bench.py [--units 50000] [--periods 10] [--skip-cs]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd


def make_panel(units: int, periods: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cohort = rng.choice([0, 4, 6, 8], size=units, p=[0.4, 0.2, 0.2, 0.2])
    alpha = rng.normal(0, 1, units)
    t = np.tile(np.arange(1, periods + 1), units)
    uid = np.repeat(np.arange(units), periods)
    g = np.repeat(cohort, periods)
    d = (g > 0) & (t >= g)
    y = np.repeat(alpha, periods) + 0.3 * t + d * (1.0 + 0.2 * (t - g)) + rng.normal(0, 1, t.size)
    return pd.DataFrame(
        {
            "unit": uid,
            "year": 2014 + t,
            "treated": (g > 0).astype(int),
            "cohort": np.where(g > 0, 2014 + g, 0),
            "y": y,
            "d": d.astype(float),
        }
    )


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--skip-cs", action="store_true")
    args = parser.parse_args()
    from linearmodels.panel import PanelOLS

    from shidian.engine.did import run_did

    frame = make_panel(args.units, args.periods)
    print(f"panel: {args.units:,} units x {args.periods} periods = {len(frame):,} rows")
    ours, t_ours = timed(
        lambda: run_did(
            frame,
            unit="unit",
            period="year",
            outcome="y",
            treated="treated",
            cohort="cohort",
            robust=False,
        )
    )
    print(f"shidian TWFE        {ours.twfe.estimate:.12f}  se {ours.twfe.se:.8f}  {t_ours:.2f} s")

    def linearmodels_fit():
        data = frame.set_index(["unit", "year"])
        model = PanelOLS(data["y"], data[["d"]], entity_effects=True, time_effects=True)
        return model.fit(
            cov_type="clustered",
            cluster_entity=True,
            group_debias=True,
            debiased=True,
            auto_df=False,
            count_effects=False,
        )

    lm, t_lm = timed(linearmodels_fit)
    lm_est, lm_se = float(lm.params["d"]), float(lm.std_errors["d"])
    print(f"linearmodels        {lm_est:.12f}  se {lm_se:.8f}  {t_lm:.2f} s")
    print(
        f"  |diff| = {abs(lm_est - ours.twfe.estimate):.2e}; time ratio shidian/linearmodels "
        f"= {t_ours / t_lm:.2f}"
    )
    try:
        import pyfixest as pf
    except ImportError:
        print("pyfixest not installed: skipped")
    else:
        fx, t_fx = timed(lambda: pf.feols("y ~ d | unit + year", data=frame, vcov={"CRV1": "unit"}))
        fx_est, fx_se = float(fx.coef()["d"]), float(fx.se()["d"])
        _, t_fx2 = timed(lambda: pf.feols("y ~ d | unit + year", data=frame, vcov={"CRV1": "unit"}))
        print(
            f"pyfixest            {fx_est:.12f}  se {fx_se:.8f}  {t_fx:.2f} s "
            f"(second call {t_fx2:.2f} s)"
        )
        print(
            f"  |diff| = {abs(fx_est - ours.twfe.estimate):.2e}; SE ratio shidian/pyfixest = "
            f"{ours.twfe.se / fx_se:.6f}; time ratio shidian/pyfixest = {t_ours / t_fx2:.2f}"
        )
    if not args.skip_cs:
        full, t_full = timed(
            lambda: run_did(
                frame,
                unit="unit",
                period="year",
                outcome="y",
                treated="treated",
                cohort="cohort",
                event_study_on=True,
            )
        )
        cs = full.callaway_santanna.simple
        print(
            f"full run (TWFE + event study + Callaway-Sant'Anna): {t_full:.2f} s; "
            f"CS simple ATT {cs.estimate:.4f} (se {cs.se:.4f}) vs TWFE {full.twfe.estimate:.4f}; "
            f"disagree: {full.estimators_disagree}"
        )


if __name__ == "__main__":
    main()
