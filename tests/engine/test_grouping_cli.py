"""`shidian group` end to end: GBK/XLSX input, naming A1.., JSON report, exit 2 on bad input."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest

from shidian.cli.app import main
from shidian.cli.group_cmd import group_name


def run(monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, "argv", ["shidian", "group", *map(str, args)])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def schools(tmp_path):
    rng = np.random.default_rng(0)
    n = 30
    frame = pd.DataFrame(
        {
            "编码": [f"S{i:02d}" for i in range(n)],
            "学生数": rng.integers(100, 2000, n),
            "教师数": rng.integers(10, 150, n),
            "类型": rng.choice(["小学", "初中"], n),
            "牵头": [1 if i < 8 else 0 for i in range(n)],
            "lat": 30 + rng.random(n) * 0.2,
            "lon": 110 + rng.random(n) * 0.2,
        }
    )
    path = tmp_path / "schools.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    return path


def test_group_names():
    assert [group_name(i) for i in (0, 1, 25, 26, 27, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "ZZ", "AAA",
    ]  # fmt: skip


def test_group_writes_named_members(monkeypatch, capsys, schools, tmp_path):
    out = tmp_path / "out.xlsx"
    code, stdout, _ = run(
        monkeypatch, capsys, schools, "--groups", 4, "--features", "学生数,教师数",
        "--categorical", "类型", "--lead-column", "牵头", "--apart", "S00:S01,S02:S03",
        "--together", "S10:S11", "--max-km", 30, "--seed", 7, "--output", out,
    )  # fmt: skip
    assert code == 0, stdout
    result = pd.read_excel(out, engine="calamine")
    assert set(result["group"]) == {"A", "B", "C", "D"}
    for g, members in result.groupby("group"):
        assert sorted(members["member"]) == sorted(f"{g}{i}" for i in range(1, len(members) + 1))
        lead = members[members["lead"] == "yes"]
        assert len(lead) == 1 and lead["member"].iloc[0] == f"{g}1"
    by_id = result.set_index("编码")["group"]
    assert by_id["S00"] != by_id["S01"] and by_id["S10"] == by_id["S11"]
    assert "Feature balance" in stdout and "Constraints" in stdout


def test_json_report_same_seed_same_result(monkeypatch, capsys, schools):
    args = (schools, "--size", 6, "--features", "学生数,教师数", "--seed", 3, "--json", "-")
    code, first, _ = run(monkeypatch, capsys, *args)
    assert code == 0
    report = json.loads(first)
    assert report["groups"] == 5 and report["all_constraints_hold"]
    assert {f["name"] for f in report["features"]} == {"学生数", "教师数"}
    assert report["value"] >= report["start_value"]
    _, second, _ = run(monkeypatch, capsys, *args)
    assert json.loads(second)["group_list"] == report["group_list"]
    assert json.loads(second)["value"] == report["value"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--groups", 3, "--features", "人数"), "missing column"),
        (("--groups", 3), "--features"),
        (("--groups", 3, "--size", 5, "--features", "学生数"), "not both"),
        (("--groups", 40, "--features", "学生数"), "need at least 40 items"),
        (("--groups", 3, "--features", "学生数", "--apart", "S00:S99"), "'S99' is not in"),
        (("--groups", 9, "--features", "学生数", "--lead-column", "牵头"), "only 8 are marked"),
        (
            (
                "--groups",
                3,
                "--features",
                "学生数",
                "--apart",
                "S00:S01,S00:S02,S00:S03,S01:S02,S01:S03,S02:S03",
            ),
            "cannot all hold",
        ),
    ],
)
def test_bad_input_exits_2_with_one_message(monkeypatch, capsys, schools, args, message):
    code, _, err = run(monkeypatch, capsys, schools, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err
