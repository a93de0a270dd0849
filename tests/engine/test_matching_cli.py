"""`shidian match` end to end: GBK, BOM and XLSX input, output with pair ids, exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def frame(n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(n, 2))
    treated = (rng.random(n) < 1 / (1 + np.exp(-(x[:, 0] - 1.2)))).astype(int)
    return pd.DataFrame(
        {
            "学校": [f"学校{i:03d}" for i in range(n)],
            "试点": treated,
            "学生数": (x[:, 0] * 300 + 1000).round(),
            "教师数": (x[:, 1] * 10 + 60).round(),
            "学段": rng.choice(["小学", "初中"], n),
            "片区": rng.choice(["东片区", "西片区"], n),
        }
    )


@pytest.fixture(params=["gbk", "utf-8-sig", "xlsx"])
def units(request, tmp_path) -> Path:
    if request.param == "xlsx":
        path = tmp_path / "units.xlsx"
        frame().to_excel(path, index=False)
    else:
        path = tmp_path / "units.csv"
        frame().to_csv(path, index=False, encoding=request.param)
    return path


def test_match_every_encoding(cli, units, tmp_path):
    out = tmp_path / "matched.csv"
    code, stdout, stderr = cli(
        "match", units, "--treated", "试点", "--covariates", "学生数,教师数,学段",
        "--exact", "片区", "--caliper", "0.2", "--id", "学校", "--output", out,
    )  # fmt: skip
    assert code == 0, stderr
    assert "Balance before" in stdout and "学段=小学" in stdout
    matched = pd.read_csv(out, encoding="utf-8-sig")
    assert list(matched.columns[:5]) == ["pair_id", "role", "学校", "weight", "distance"]
    pairs = matched.pivot_table(index="pair_id", columns="role", values="片区", aggfunc="first")
    assert (pairs.treated == pairs.control).all()


def test_match_json_lists_unmatched_and_marks_balance(cli, tmp_path):
    path = tmp_path / "u.csv"
    frame().to_csv(path, index=False, encoding="gbk")
    code, stdout, _ = cli(
        "match", path, "--treated", "试点", "--covariates", "学生数,教师数", "--caliper", "0.01",
        "--id", "学校", "-o", tmp_path / "m.xlsx", "--json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(stdout)
    assert report["n_unmatched_treated"] == len(report["unmatched_treated"]) > 0
    assert report["n_matched_treated"] + report["n_unmatched_treated"] == report["n_treated"]
    for row in report["balance"]:
        assert row["balanced"] == (abs(row["smd_after"]) < 0.1)
    assert "NaN" not in stdout
    assert pd.read_excel(tmp_path / "m.xlsx", engine="openpyxl").weight.notna().all()


@pytest.mark.parametrize(
    ("edit", "args", "message"),
    [
        (lambda f: f.assign(试点=f.试点.astype(object).where(f.index != 4, "是的")), [], "row 6"),
        (lambda f: f.assign(学生数=f.学生数.astype(object).where(f.index != 0, "—")), [],
         "Column '学生数', row 2"),
        (lambda f: f.drop(columns=["教师数"]), [], "missing column(s) 教师数"),
        (lambda f: f, ["--method", "knn"], "--method must be one of"),
        (lambda f: f, ["--optimal", "--replace"], "--optimal and --replace"),
    ],
)  # fmt: skip
def test_match_bad_input_exit_2(cli, tmp_path, edit, args, message):
    path = tmp_path / "u.csv"
    edit(frame()).to_csv(path, index=False, encoding="gbk")
    code, _, stderr = cli(
        "match", path, "--treated", "试点", "--covariates", "学生数,教师数", "--id", "学校",
        "-o", tmp_path / "m.csv", *args,
    )  # fmt: skip
    assert code == 2, stderr
    assert message in stderr and stderr.count("error:") == 1


def test_match_console_script_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "-m", "shidian.cli", "match", str(path), "--treated", "t",
         "--covariates", "a", "-o", str(tmp_path / "o.csv")],
        capture_output=True, text=True, cwd=SRC,
    )  # fmt: skip
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "error: empty.csv is empty: it needs a header row and data rows."
    )
