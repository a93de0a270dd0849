"""`shidian did` from the command line: the JSON report and exit status 2 with a reason."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest

from shidian.cli.app import main


def run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["shidian", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def panel(tmp_path):
    rng = np.random.default_rng(0)
    n = 40
    g = rng.choice([0, 2019, 2021], n)
    rows = []
    for year in range(2016, 2024):
        d = (g > 0) & (year >= g)
        rows.append(
            pd.DataFrame(
                {
                    "学校": [f"S{i}" for i in range(n)],
                    "年份": year,
                    "试点": (g > 0).astype(int),
                    "批次": g,
                    "得分": 50 + year - 2016 + 3 * d + rng.normal(0, 1, n),
                }
            )
        )
    path = tmp_path / "panel.csv"
    pd.concat(rows).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_did_json_report(monkeypatch, capsys, panel, tmp_path):
    out = tmp_path / "effects.xlsx"
    code, stdout, _ = run(
        monkeypatch,
        capsys,
        "did",
        str(panel),
        "--unit",
        "学校",
        "--period",
        "年份",
        "--treated",
        "试点",
        "--cohort",
        "批次",
        "--outcome",
        "得分",
        "--event-study",
        "--output",
        str(out),
        "--json",
    )
    assert code == 0
    report = json.loads(stdout)
    for key in (
        "n_units",
        "n_periods",
        "n_treated",
        "estimate",
        "se",
        "ci95",
        "p_value",
        "meaning_zh",
        "meaning_en",
    ):
        assert key in report
    assert report["n_units"] == 40 and report["n_periods"] == 8
    assert abs(report["estimate"] - 3) < 4 * report["se"]
    assert report["cohorts"] == [2019, 2021]
    assert "平行趋势" in report["meaning_zh"][0]
    assert "parallel" in report["meaning_en"][0]
    assert report["event_study"]["pretrend_p"] is not None
    effects = pd.read_excel(out, engine="calamine")
    assert {"rel_period", "twfe_estimate", "cs_estimate"} <= set(effects.columns)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cohort", "批次", "--outcome", "常数"], "same value in every row"),
        (["--cohort", "批次", "--outcome", "得分", "--covariates", "无此列"], "missing column"),
        (["--outcome", "得分"], "--post COL"),
        (["--cohort", "批次", "--post", "试点", "--outcome", "得分"], "not both"),
    ],
)
def test_did_refusals_exit_2(monkeypatch, capsys, panel, args, message):
    frame = pd.read_csv(panel, encoding="utf-8-sig")
    frame["常数"] = 7
    frame.to_csv(panel, index=False)
    code, _, err = run(
        monkeypatch,
        capsys,
        "did",
        str(panel),
        "--unit",
        "学校",
        "--period",
        "年份",
        "--treated",
        "试点",
        *args,
    )
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_did_single_period_exit_2(monkeypatch, capsys, panel):
    frame = pd.read_csv(panel, encoding="utf-8-sig")
    frame[frame["年份"] == 2020].to_csv(panel, index=False)
    code, _, err = run(
        monkeypatch,
        capsys,
        "did",
        str(panel),
        "--unit",
        "学校",
        "--period",
        "年份",
        "--treated",
        "试点",
        "--cohort",
        "批次",
        "--outcome",
        "得分",
    )
    assert code == 2 and "Only one period (年份 = 2020)" in err


def test_did_prints_the_aggregations_and_the_sensitivity(monkeypatch, capsys, panel):
    code, stdout, _ = run(
        monkeypatch,
        capsys,
        "did",
        str(panel),
        "--unit",
        "学校",
        "--period",
        "年份",
        "--treated",
        "试点",
        "--cohort",
        "批次",
        "--outcome",
        "得分",
    )
    assert code == 0
    for text in ("aggregations", "simple", "group (by cohort)", "dynamic", "by cohort"):
        assert text in stdout
    assert "analytic influence function" in stdout
    assert "Sensitivity to parallel trends" in stdout


def test_did_json_has_the_aggregations(monkeypatch, capsys, panel):
    code, stdout, _ = run(
        monkeypatch,
        capsys,
        "did",
        str(panel),
        *("--unit", "学校", "--period", "年份", "--treated", "试点", "--cohort", "批次"),
        *("--outcome", "得分", "--json"),
    )
    assert code == 0
    cs = json.loads(stdout)["callaway_santanna"]
    for key in ("simple", "group_overall", "dynamic_overall"):
        assert cs[key]["se"] > 0
    assert [g["cohort"] for g in cs["group"]] == [2019, 2021]
    assert cs["sensitivity"]["worst_pre_change"] >= 0
    assert cs["path"] == "closed form"


def test_did_text_in_a_number_column_names_the_row(monkeypatch, capsys, panel):
    frame = pd.read_csv(panel, encoding="utf-8-sig")
    frame["得分"] = frame["得分"].astype(object)
    frame.loc[4, "得分"] = "缺考"
    frame.to_csv(panel, index=False, encoding="gbk")  # as Chinese Excel saves it
    code, _, err = run(
        monkeypatch,
        capsys,
        "did",
        str(panel),
        *("--unit", "学校", "--period", "年份", "--treated", "试点", "--cohort", "批次"),
        *("--outcome", "得分"),
    )
    assert code == 2
    assert "row 6: '缺考' is not a number" in err
