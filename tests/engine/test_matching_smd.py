"""The SMD's denominator (shidian.engine.matching.balance): the treated units' SD by default (as
MatchIt and cobalt for the ATT), the pooled SD as an option; checked against hand computation."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from shidian.engine.errors import EngineInputError
from shidian.engine.matching import MatchSpec, match_controls
from shidian.engine.matching.balance import balance_table, denominator_sd

# Four treated, six controls; x continuous, b binary.
X = np.array([10.0, 12.0, 14.0, 20.0, 8.0, 9.0, 11.0, 13.0, 15.0, 30.0])
B = np.array([1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0])
T = np.array([True] * 4 + [False] * 6)


def _rows(denominator: str, weights: np.ndarray | None = None):
    w = np.ones(len(X)) if weights is None else weights
    return balance_table(np.column_stack([X, B]), ["x", "b"], T, w, denominator=denominator)


def test_treated_denominator_by_hand():
    # x: treated mean 14, sample variance ((16 + 4 + 0 + 36) / 3) = 56/3; controls mean 86/6.
    row = _rows("treated")[0]
    sd_t = math.sqrt(56 / 3)
    assert row.denominator == "treated"
    assert row.denominator_sd == pytest.approx(sd_t)
    assert row.smd_before == pytest.approx((14 - 86 / 6) / sd_t)


def test_pooled_denominator_by_hand():
    xc = X[~T]
    var_c = float(np.var(xc, ddof=1))
    sd = math.sqrt((56 / 3 + var_c) / 2)
    row = _rows("pooled")[0]
    assert row.denominator == "pooled"
    assert row.denominator_sd == pytest.approx(sd)
    assert row.smd_before == pytest.approx((14 - xc.mean()) / sd)


def test_binary_covariate_uses_p_times_one_minus_p():
    # b: treated p = 3/4, controls p = 2/6 (MatchIt/cobalt: binary variance p(1 - p)).
    pt, pc = 0.75, 2 / 6
    treated_row, pooled_row = _rows("treated")[1], _rows("pooled")[1]
    assert treated_row.smd_before == pytest.approx((pt - pc) / math.sqrt(pt * (1 - pt)))
    pooled = math.sqrt((pt * (1 - pt) + pc * (1 - pc)) / 2)
    assert pooled_row.smd_before == pytest.approx((pt - pc) / pooled)


def test_after_uses_the_same_unmatched_denominator():
    # Weights: treated 1, controls 8 and 13 matched (weight 1), the rest out.
    w = np.array([1, 1, 1, 1, 0, 0, 0, 1, 0, 0], dtype=float)
    w[4] = 1.0
    row = _rows("treated", w)[0]
    mc = (8 + 13) / 2
    assert row.smd_after == pytest.approx((14 - mc) / math.sqrt(56 / 3))
    assert row.denominator_sd == pytest.approx(denominator_sd(X, T, "treated"))


def test_unknown_denominator_refused():
    with pytest.raises(ValueError):
        denominator_sd(X, T, "control")


def _units(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(n, 2))
    treated = (rng.random(n) < 1 / (1 + np.exp(-(x[:, 0] * 1.5 - 1)))).astype(int)
    # Treated spread wider than controls, so the two denominators differ clearly.
    x[treated == 1, 0] *= 2.0
    return pd.DataFrame(
        {"id": [f"u{i}" for i in range(n)], "t": treated, "a": x[:, 0], "b": x[:, 1]}
    )


def test_match_controls_reports_and_honours_the_denominator():
    frame = _units()
    base = dict(treated="t", covariates=("a", "b"), id_column="id", caliper=0.2)
    treated = match_controls(frame, MatchSpec(**base))
    pooled = match_controls(frame, MatchSpec(**base, smd_denominator="pooled"))
    assert treated.smd_denominator == "treated" and pooled.smd_denominator == "pooled"
    assert [p.control_id for p in treated.pairs] == [p.control_id for p in pooled.pairs]
    for rt, rp in zip(treated.balance, pooled.balance, strict=True):
        # Same mean differences, different SD: SMD x SD is the difference either way.
        assert rt.smd_before * rt.denominator_sd == pytest.approx(rp.smd_before * rp.denominator_sd)
        assert rt.smd_after * rt.denominator_sd == pytest.approx(rp.smd_after * rp.denominator_sd)
    a_t = frame.loc[frame.t == 1, "a"]
    assert treated.balance[0].denominator_sd == pytest.approx(a_t.std(ddof=1))
    assert treated.balance[0].denominator_sd != pytest.approx(pooled.balance[0].denominator_sd)


def test_bad_denominator_is_one_clear_message():
    with pytest.raises(EngineInputError, match="--smd-denominator"):
        match_controls(
            _units(), MatchSpec(treated="t", covariates=("a",), id_column="id", smd_denominator="x")
        )


@pytest.mark.parametrize("denominator", ["treated", "pooled"])
def test_cli_option_prints_and_reports_the_denominator(cli, tmp_path, denominator):
    path = tmp_path / "units.csv"
    _units().to_csv(path, index=False)
    out, report = tmp_path / "m.csv", tmp_path / "r.json"
    code, stdout, stderr = cli(
        "match", path, "--treated", "t", "--covariates", "a,b", "--caliper", "0.2",
        "--output", out, "--report", report, "--smd-denominator", denominator,
    )  # fmt: skip
    assert code == 0, stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["smd_denominator"] == denominator
    assert all(row["denominator"] == denominator for row in data["balance"])
    assert ("treated units' SD" if denominator == "treated" else "pooled SD") in stdout
