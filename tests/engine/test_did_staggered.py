"""Callaway & Sant'Anna: the `did` package's published mpdta figures, the closed-form path
against the general one (moderndid / linearmodels) on random balanced panels, the sensitivity
number, and the panels for which no estimate exists."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shidian.engine.did import fast, run_did
from shidian.engine.did.sensitivity import relative_magnitudes
from shidian.engine.errors import EngineInputError

# mpdta (county teen employment and the minimum wage, 500 counties x 2003-2007), the example data
# of the R package `did`; this copy is moderndid 0.2.0's `load_mpdta()` written as CSV (see
# data/mpdta.md).
MPDTA = Path(__file__).parent / "data" / "mpdta.csv"

# Published figures: README of the R package `did` (bcallaway11/did, devel version 2.1.2),
# att_gt(yname = "lemp", gname = "first.treat", idname = "countyreal", tname = "year",
# xformla = ~1, data = mpdta, est_method = "reg"), never-treated controls; summary(out),
# summary(aggte(out, type = "dynamic")), summary(aggte(out, type = "group")).
# (group, time): (ATT(g,t), SE). The README's SEs come from did's multiplier bootstrap (random
# draws); ours are the analytic influence-function SEs, so they agree to about 0.002.
PUBLISHED_POST_CELLS = {
    (2004, 2004): (-0.0105, 0.0241),
    (2004, 2005): (-0.0704, 0.0313),
    (2004, 2006): (-0.1373, 0.0380),
    (2004, 2007): (-0.1008, 0.0337),
    (2006, 2006): (-0.0046, 0.0188),
    (2006, 2007): (-0.0412, 0.0202),
    (2007, 2007): (-0.0261, 0.0182),
}
# The README's pre-period cells use the varying base period (t - 1); ours use the universal one
# (g - 1), so ATT_u(g, t) = -(sum of the varying ATTs from t + 1 to g - 1): derived below.
PUBLISHED_PRE_VARYING = {
    (2006, 2004): 0.0065,
    (2006, 2005): -0.0028,
    (2007, 2004): 0.0305,
    (2007, 2005): -0.0027,
    (2007, 2006): -0.0311,
}
PUBLISHED_PRETEST_P = 0.16812  # "P-value for pre-test of parallel trends assumption"
PUBLISHED_DYNAMIC = (-0.0772, 0.0196)  # overall, event-study aggregation
PUBLISHED_DYNAMIC_POST = {0: -0.0199, 1: -0.0510, 2: -0.1373, 3: -0.1008}
PUBLISHED_GROUP = (-0.031, 0.0123)  # overall, group aggregation
PUBLISHED_GROUP_BY_COHORT = {
    2004: (-0.0797, 0.0277),
    2006: (-0.0229, 0.0172),
    2007: (-0.0261, 0.0177),
}
# The simple aggregation: "Getting Started with the did Package" prints ATT -0.04; it is the
# average of the README's post cells weighted by cohort size (20, 40 and 131 counties): -0.0400.
PUBLISHED_SIMPLE = -0.04
SE_TOLERANCE = 0.002


@pytest.fixture(scope="module")
def mpdta_result():
    data = pd.read_csv(MPDTA)
    return run_did(
        data,
        unit="countyreal",
        period="year",
        outcome="lemp",
        treated="treat",
        cohort="first.treat",
    )


def test_mpdta_group_time_effects_match_the_did_package(mpdta_result):
    cs = mpdta_result.callaway_santanna
    assert cs.path == "closed form" and cs.control_group == "nevertreated"
    cells = cs.group_time.set_index(["cohort", "period"])
    for key, (att, se) in PUBLISHED_POST_CELLS.items():
        assert cells.loc[key, "estimate"] == pytest.approx(att, abs=5e-5)
        assert cells.loc[key, "se"] == pytest.approx(se, abs=SE_TOLERANCE)
    for g in (2006, 2007):
        for t in range(2004, g - 1):
            derived = -sum(PUBLISHED_PRE_VARYING[(g, s)] for s in range(t + 1, g))
            assert cells.loc[(g, t), "estimate"] == pytest.approx(derived, abs=2e-4)
        assert cells.loc[(g, g - 1), "estimate"] == 0  # the reference period
    assert cs.pretest_p == pytest.approx(PUBLISHED_PRETEST_P, abs=1e-5)


def test_mpdta_three_aggregations_match_the_did_package(mpdta_result):
    cs = mpdta_result.callaway_santanna
    assert round(cs.simple.estimate, 2) == PUBLISHED_SIMPLE
    assert cs.simple.estimate == pytest.approx(-0.0400, abs=5e-5)
    assert cs.dynamic_overall.estimate == pytest.approx(PUBLISHED_DYNAMIC[0], abs=5e-5)
    assert cs.dynamic_overall.se == pytest.approx(PUBLISHED_DYNAMIC[1], abs=SE_TOLERANCE)
    dynamic = cs.dynamic.set_index("rel_period")["estimate"]
    for e, att in PUBLISHED_DYNAMIC_POST.items():
        assert dynamic[e] == pytest.approx(att, abs=5e-5)
    assert cs.group_overall.estimate == pytest.approx(PUBLISHED_GROUP[0], abs=5e-4)
    assert cs.group_overall.se == pytest.approx(PUBLISHED_GROUP[1], abs=SE_TOLERANCE)
    by_cohort = cs.group.set_index("cohort")
    for g, (att, se) in PUBLISHED_GROUP_BY_COHORT.items():
        assert by_cohort.loc[g, "estimate"] == pytest.approx(att, abs=5e-5)
        assert by_cohort.loc[g, "se"] == pytest.approx(se, abs=SE_TOLERANCE)
    assert cs.se_method.startswith("analytic influence function")


def test_mpdta_closed_form_equals_moderndid(monkeypatch, mpdta_result):
    """The analytic SEs themselves: moderndid (bootstrap off) on the same data, to 1e-10."""
    monkeypatch.setattr(fast, "wide", lambda panel: None)
    general = run_did(
        pd.read_csv(MPDTA),
        unit="countyreal",
        period="year",
        outcome="lemp",
        treated="treat",
        cohort="first.treat",
    )
    assert general.callaway_santanna.path == "moderndid"
    assert_same(mpdta_result, general)


def test_mpdta_sensitivity_breakdown(mpdta_result):
    s = mpdta_result.callaway_santanna.sensitivity
    # worst pre-period change: between e = -2 (0.0245) and the reference e = -1 (0)
    assert s.worst_pre_change == pytest.approx(0.024459, abs=1e-5)
    assert s.significant and 0 < s.breakdown_mbar < 1
    # at the breakdown value the widened interval just reaches zero
    bound = s.breakdown_mbar * s.bias_per_mbar
    assert abs(s.estimate) - 1.959964 * s.se - bound == pytest.approx(0, abs=1e-9)
    assert s.robust_ci_at_1[0] < 0 < s.robust_ci_at_1[1]
    assert any("HonestDiD" in line for line in mpdta_result.meaning_en)
    assert any("小于 1" in line for line in mpdta_result.meaning_zh)


def test_sensitivity_without_pre_periods_or_effect():
    table = pd.DataFrame({"rel_period": [-1, 0, 1], "estimate": [0.0, 1.0, 2.0]})
    assert relative_magnitudes(table, 1.5, 0.1) is None  # no period before the reference
    table = pd.DataFrame({"rel_period": [-2, -1, 0], "estimate": [0.5, 0.0, 0.1]})
    s = relative_magnitudes(table, 0.1, 0.2)
    assert s is not None and not s.significant and s.breakdown_mbar is None


def assert_same(a, b, tol=1e-10):
    assert a.twfe.estimate == pytest.approx(b.twfe.estimate, rel=tol, abs=tol)
    assert a.twfe.se == pytest.approx(b.twfe.se, rel=tol, abs=tol)
    ca, cb = a.callaway_santanna, b.callaway_santanna
    assert (ca is None) == (cb is None)
    if ca is None:  # too few never-treated units: both say so in a note
        assert a.notes == b.notes
        return
    for name in ("simple", "group_overall", "dynamic_overall"):
        x, y = getattr(ca, name), getattr(cb, name)
        assert (x is None) == (y is None)
        if x is not None:
            assert x.estimate == pytest.approx(y.estimate, rel=tol, abs=tol)
            assert x.se == pytest.approx(y.se, rel=tol, abs=tol)
    for name in ("group", "dynamic", "group_time"):
        x, y = getattr(ca, name), getattr(cb, name)
        assert x.shape == y.shape
        assert list(x.iloc[:, 0]) == list(y.iloc[:, 0])
        np.testing.assert_allclose(
            x[["estimate", "se"]].to_numpy(float), y[["estimate", "se"]].to_numpy(float), tol, tol
        )
    assert (ca.pretest_p is None) == (cb.pretest_p is None)
    if ca.pretest_p is not None:
        assert ca.pretest_p == pytest.approx(cb.pretest_p, abs=1e-5)  # both round to 5 digits
    if a.event_study is not None:
        np.testing.assert_allclose(
            a.event_study.table[["estimate", "se"]].to_numpy(float),
            b.event_study.table[["estimate", "se"]].to_numpy(float),
            tol,
            tol,
        )


@st.composite
def balanced_panels(draw):
    periods = draw(st.integers(3, 7))
    n = draw(st.integers(10, 30))
    entry = st.sampled_from([0, *range(2, periods + 1)])
    g = np.array(draw(st.lists(entry, min_size=n, max_size=n)))
    control = draw(st.sampled_from(["nevertreated", "notyettreated"]))
    if control == "nevertreated":
        g[:5] = 0  # did needs five never-treated units as the comparison group
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    t = np.tile(np.arange(1, periods + 1), n)
    gg = np.repeat(g, periods)
    y = np.repeat(rng.normal(0, 1, n), periods) + rng.normal(0, 1, n * periods)
    y += ((gg > 0) & (t >= gg)) * rng.normal(1, 1, n * periods)
    frame = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n), periods),
            "year": 2000 + t,
            "y": y,
            "treated": (gg > 0).astype(int),
            "cohort": np.where(gg > 0, 2000 + gg, 0),
        }
    )
    return frame.sample(frac=1, random_state=seed % 1000), control


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(balanced_panels())
def test_closed_form_equals_general_path_on_random_balanced_panels(case):
    frame, control = case
    kw = dict(
        unit="unit",
        period="year",
        outcome="y",
        treated="treated",
        cohort="cohort",
        control_group=control,
        event_study_on=True,
    )
    try:
        quick = run_did(frame, **kw)
    except EngineInputError:
        with pytest.raises(EngineInputError):
            general_run(frame, kw)
        return
    slow = general_run(frame, kw)
    if quick.callaway_santanna is not None:
        assert quick.callaway_santanna.path == "closed form"
        assert slow.callaway_santanna.path == "moderndid"
    assert_same(quick, slow)


def general_run(frame, kw):
    original = fast.wide
    fast.wide = lambda panel: None
    try:
        return run_did(frame, **kw)
    finally:
        fast.wide = original


def small_panel(seed=8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n, periods = 30, 6
    g = rng.choice([0, 4], n)
    t = np.tile(np.arange(1, periods + 1), n)
    gg = np.repeat(g, periods)
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n), periods),
            "year": 2015 + t,
            "y": rng.normal(0, 1, n * periods) + ((gg > 0) & (t >= gg)),
            "treated": (gg > 0).astype(int),
            "cohort": np.where(gg > 0, 2015 + gg, 0),
        }
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d[d["year"] == 2018], "Only one period"),
        (lambda d: d.assign(treated=0, cohort=0), "No unit is ever treated"),
        (lambda d: d.assign(treated=1, cohort=2019), "no control group"),
        (lambda d: d.assign(y=1.5), "same value in every row"),
        (lambda d: d.assign(y=d["unit"] * 1.0), "never changes over time within any unit"),
        (
            lambda d: d.assign(cohort=np.where(d["treated"] == 1, 2016, 0)),
            "already treated in its first observed period",
        ),
    ],
    ids=["one-period", "no-treated", "all-treated", "constant", "no-change", "no-pre-period"],
)
@pytest.mark.parametrize("robust", [True, False])
def test_no_estimate_exists_says_why_never_nan(change, message, robust):
    data = change(small_panel()).reset_index(drop=True)
    with pytest.raises(EngineInputError, match=message):
        run_did(
            data,
            unit="unit",
            period="year",
            outcome="y",
            treated="treated",
            cohort="cohort",
            robust=robust,
            event_study_on=True,
        )


def test_pilots_without_a_pre_period_are_left_out_and_the_rest_estimated():
    data = small_panel()
    data.loc[data["unit"] < 3, ["treated", "cohort"]] = [1, 2016]  # treated from the first year
    r = run_did(data, unit="unit", period="year", outcome="y", treated="treated", cohort="cohort")
    assert any("already treated in their first observed period" in n for n in r.notes)
    assert r.n_units == 27
    for value in (r.estimate, r.se, r.p_value, *r.ci95):
        assert np.isfinite(value)
