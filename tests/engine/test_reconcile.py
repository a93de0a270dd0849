"""Reconciling expert scores: ICC against a published example and pingouin, Kendall's W, flags."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from shidian.engine.errors import EngineInputError
from shidian.engine.reconcile import icc_oneway, icc_twoway, kendall_w, reconcile_scores

# Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
# reliability. Psychological Bulletin 86(2), 420-428. Table 2: six targets rated by four judges.
SHROUT_FLEISS_TABLE_2 = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
)
# Their Table 4 prints: ICC(1,1)=.17, ICC(2,1)=.29, ICC(3,1)=.71, ICC(1,4)=.44, ICC(2,4)=.62,
# ICC(3,4)=.91.
PUBLISHED = {
    "ICC(1,1)": 0.17,
    "ICC(2,1)": 0.29,
    "ICC(3,1)": 0.71,
    "ICC(1,k)": 0.44,
    "ICC(2,k)": 0.62,
    "ICC(3,k)": 0.91,
}


def _long(matrix: np.ndarray) -> pd.DataFrame:
    n, k = matrix.shape
    return pd.DataFrame(
        [(f"U{i}", f"E{j}", matrix[i, j]) for i in range(n) for j in range(k)],
        columns=["unit", "expert", "score"],
    )


def test_icc_matches_shrout_fleiss_published_table():
    icc = icc_twoway(SHROUT_FLEISS_TABLE_2)
    for name, printed in PUBLISHED.items():
        assert round(icc[name].value, 2) == printed, name


# pingouin 0.7 names: A = absolute agreement (case 2), C = consistency (case 3)
PINGOUIN_NAMES = {
    "ICC(1,1)": "ICC(1,1)",
    "ICC(2,1)": "ICC(A,1)",
    "ICC(3,1)": "ICC(C,1)",
    "ICC(1,k)": "ICC(1,k)",
    "ICC(2,k)": "ICC(A,k)",
    "ICC(3,k)": "ICC(C,k)",
}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_icc_matches_pingouin(seed):
    rng = np.random.default_rng(seed)
    n, k = 12, 4
    matrix = rng.normal(70, 8, (n, 1)) + rng.normal(0, 3, (1, k)) + rng.normal(0, 4, (n, k))
    frame = _long(matrix)
    expected = pg.intraclass_corr(frame, targets="unit", raters="expert", ratings="score")
    expected = expected.set_index("Type")
    ours = icc_twoway(matrix)
    for name, theirs in PINGOUIN_NAMES.items():
        assert ours[name].value == pytest.approx(expected.loc[theirs, "ICC"], abs=1e-10)
        assert ours[name].f_value == pytest.approx(expected.loc[theirs, "F"], rel=1e-10)
        assert ours[name].p_value == pytest.approx(expected.loc[theirs, "pval"], rel=1e-8)
        # pingouin rounds its intervals to 2 decimals
        assert np.allclose(ours[name].ci95, expected.loc[theirs, "CI95"], atol=0.006)


def test_oneway_icc_equals_pingouin_icc1_for_equal_group_sizes():
    rng = np.random.default_rng(5)
    matrix = rng.normal(0, 1, (10, 1)) + rng.normal(0, 1, (10, 3))
    expected = pg.intraclass_corr(_long(matrix), "unit", "expert", "score").set_index("Type")
    ours = icc_oneway(list(matrix))
    assert ours["ICC(1,1)"].value == pytest.approx(expected.loc["ICC(1,1)", "ICC"], abs=1e-10)
    assert ours["ICC(1,k)"].value == pytest.approx(expected.loc["ICC(1,k)", "ICC"], abs=1e-10)


def test_kendall_w_equals_mean_spearman_identity_without_ties():
    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(9, 5)) + np.arange(9)[:, None] * 0.3
    w, chi2, p = kendall_w(matrix)
    m = matrix.shape[1]
    rhos = [
        stats.spearmanr(matrix[:, a], matrix[:, b])[0]
        for a, b in itertools.combinations(range(m), 2)
    ]
    assert (m * w - 1) / (m - 1) == pytest.approx(np.mean(rhos), abs=1e-12)
    assert chi2 == pytest.approx(m * (matrix.shape[0] - 1) * w)
    assert 0 <= p <= 1


def test_kendall_w_tie_correction_by_hand():
    # 3 raters, 4 objects; rater 2 ties objects 1 and 2 (ranks 1.5, 1.5).
    matrix = np.array([[1, 1, 1], [2, 1, 2], [3, 3, 3], [4, 4, 4]], dtype=float)
    # rank sums: 3, 5.5 -> with ties: [1+1.5+1, 2+1.5+2, 9, 12] = [3.5, 5.5, 9, 12]
    # S = sum((R - 7.5)^2) = 16 + 4 + 2.25 + 20.25 = 42.5
    # W = 12 S / (m^2 (n^3 - n) - m sum(t^3 - t)) = 510 / (9 * 60 - 3 * 6) = 510 / 522
    w, _, _ = kendall_w(matrix)
    assert w == pytest.approx(510 / 522)
    assert kendall_w(np.tile(np.arange(5.0)[:, None], (1, 3)))[0] == pytest.approx(1.0)


def test_reconcile_crossed_design_flags_and_weights():
    scores = _long(SHROUT_FLEISS_TABLE_2 * 10.0)
    self_scores = pd.Series([80, 40, 70, 50, 95, 60], index=[f"U{i}" for i in range(6)])
    result = reconcile_scores(
        scores, method="median", max_range=50, self_scores=self_scores, self_weight=0.3
    )
    assert result.design == "crossed"
    assert result.icc["ICC(2,1)"].value == pytest.approx(0.2898, abs=1e-4)
    assert result.kendall_w is not None and 0 < result.kendall_w <= 1
    table = result.table.set_index("unit")
    # U1 scores 60, 10, 30, 20: range 50 (not flagged); U0 90, 20, 50, 80: range 70 (flagged)
    assert table.loc["U0", "flagged"] and not table.loc["U1", "flagged"]
    assert table.loc["U0", "expert_score"] == pytest.approx(65.0)  # median of 20, 50, 80, 90
    assert table.loc["U0", "final_score"] == pytest.approx(0.3 * 80 + 0.7 * 65.0)
    assert result.table["rank"].tolist() == sorted(result.table["rank"].tolist())
    assert result.table.iloc[0]["unit"] == "U4"


def test_reconcile_nested_design_uses_oneway_icc_and_trimmed_mean():
    rows = []
    for i in range(8):
        for j in range(5):
            rows.append((f"U{i}", f"E{i}-{j}", 60 + 4 * i + (j - 2) * (1 + (j == 4) * 10)))
    result = reconcile_scores(
        pd.DataFrame(rows, columns=["unit", "expert", "score"]), method="trimmed", trim=0.2
    )
    assert result.design == "nested"
    assert set(result.icc) == {"ICC(1,1)", "ICC(1,k)"}
    assert result.kendall_w is None
    assert any("ICC(2,1)" in note for note in result.notes)
    u0 = result.table.set_index("unit").loc["U0"]
    assert u0["expert_score"] == pytest.approx(stats.trim_mean([58, 59, 60, 61, 82], 0.2))


def test_reconcile_bad_inputs():
    good = _long(SHROUT_FLEISS_TABLE_2.astype(float))
    with pytest.raises(EngineInputError, match="scored unit 'U0' twice"):
        reconcile_scores(pd.concat([good, good.head(1)], ignore_index=True))
    with pytest.raises(EngineInputError, match="missing column"):
        reconcile_scores(good.rename(columns={"score": "分数"}))
    with pytest.raises(EngineInputError, match="same"):
        reconcile_scores(good.assign(score=5.0))
    with pytest.raises(EngineInputError, match="no self-assessment"):
        reconcile_scores(good, self_scores=pd.Series([1.0], index=["U0"]), self_weight=0.5)
    with pytest.raises(EngineInputError, match="--method"):
        reconcile_scores(good, method="mode")
