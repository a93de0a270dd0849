"""`shidian select` end to end: GBK, BOM and XLSX input, exit code 2 with one message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


ROWS = [
    ("S01", 92, "东片区", "小学"),
    ("S02", 90, "西片区", "小学"),
    ("S03", 88, "西片区", "初中"),
    ("S04", 85, "西片区", "小学"),
    ("S05", 80, "东片区", "初中"),
    ("S06", 70, "南片区", "小学"),
    ("S07", 66, "南片区", "初中"),
    ("S08", 55, "东片区", "小学"),
]


def frame() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=["编号", "总分", "片区", "学段"])


@pytest.fixture(params=["gbk", "utf-8-sig", "xlsx"])
def candidates(request, tmp_path) -> Path:
    if request.param == "xlsx":
        path = tmp_path / "candidates.xlsx"
        frame().to_excel(path, index=False)
    else:
        path = tmp_path / "candidates.csv"
        frame().to_csv(path, index=False, encoding=request.param)
    return path


def test_select_reads_every_encoding_and_writes_output(cli, candidates, tmp_path):
    out = tmp_path / "pilots.xlsx"
    code, stdout, stderr = cli(
        "select", candidates, "--count", 4, "--score", "总分", "--id", "编号",
        "--strata", "片区,学段", "--proportional", "--batches", "2,2", "--balanced-batches",
        "--output", out,
    )  # fmt: skip
    assert code == 0, stderr
    assert "proven optimal" in stdout and "Price of representativeness" in stdout
    result = pd.read_excel(out, engine="openpyxl")
    assert len(result) == 4 and set(result.columns) >= {"batch", "rank", "编号", "总分", "片区"}
    assert not result.drop(columns=["forced_reason"]).isna().any().any()


def test_select_json_report(cli, tmp_path):
    path = tmp_path / "c.csv"
    frame().to_csv(path, index=False, encoding="gbk")
    code, stdout, _ = cli(
        "select", path, "-k", 3, "--score", "总分", "--id", "编号", "--strata", "片区",
        "--proportional", "-o", tmp_path / "o.csv", "--json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(stdout)
    assert report["optimal"] is True and report["gap"] * report["objective"] < 1
    assert report["largest_deviation"]["attribute"] == "片区"
    assert {s["stratum"] for s in report["shares"]} == {"东片区", "西片区", "南片区"}
    assert report["price_of_representativeness"]["topk_total"] == 92 + 90 + 88
    assert "NaN" not in stdout


def test_select_infeasible_exit_2_names_the_zone(cli, tmp_path):
    path = tmp_path / "c.csv"
    frame().to_csv(path, index=False, encoding="utf-8-sig")
    quota = tmp_path / "quota.csv"
    quota.write_text("attribute,stratum,min,max\n片区,南片区,2,\n", encoding="utf-8")
    code, stdout, stderr = cli(
        "select", path, "-k", 3, "--score", "总分", "--id", "编号", "--strata", "片区",
        "--quota", quota, "--min-score", 68, "-o", tmp_path / "o.csv",
    )  # fmt: skip
    assert code == 2
    assert "片区 南片区 needs 2 pilots but has only 1 candidate above the minimum score" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("", [], "is empty"),
        ("编号,总分,片区\nS1,90,东\nS1,80,西\n", [], "appears more than once"),
        ("编号,总分,片区\nS1,90,东\nS2,优秀,西\nS3,70,西\n", [], "row 3: '优秀' is not a number"),
        ("编号,总分\nS1,90\nS2,80\n", [], "missing column(s) 片区"),
        ("编号,总分,片区\nS1,90,东\nS2,80,西\n", ["--batches", "1,2"], "adds up to 3"),
    ],
)
def test_select_bad_input_exit_2(cli, tmp_path, content, args, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content.encode("gbk"))
    code, _, stderr = cli(
        "select", path, "-k", 2, "--score", "总分", "--id", "编号", "--strata", "片区",
        "-o", tmp_path / "o.csv", *args,
    )  # fmt: skip
    assert code == 2
    assert message in stderr
    assert stderr.count("error:") == 1 and "Traceback" not in stderr


def test_select_console_script_exit_code(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,score,zone\nA,1,x\nB,2,y\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "shidian.cli", "select", str(path), "-k", "5", "--score", "score",
         "-o", str(tmp_path / "o.csv")],
        capture_output=True, text=True, cwd=SRC,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("error: --count 5 cannot be filled")
