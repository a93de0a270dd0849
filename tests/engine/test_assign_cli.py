"""`shidian assign` and `shidian reconcile` from the command line: outputs and exit status 2."""

from __future__ import annotations

import json
import sys

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
def files(tmp_path):
    units = pd.DataFrame(
        {
            "id": [f"S{i}" for i in range(6)],
            "path": [f"00001{c:05d}{i + 1:05d}" for i, c in enumerate([1, 1, 2, 2, 3, 3])],
            "type": ["小学", "初中", "小学", "高中", "初中", "小学"],
        }
    )
    experts = pd.DataFrame(
        {
            "id": ["E1", "E2", "E3", "E4", "E5", "E6"],
            "org": ["C1", "C1", "C2", "C2", "C3", "C3"],
            "org_path": [
                "0000100001",
                "0000100001",
                "0000100002",
                "0000100002",
                "0000100003",
                "0000100003",
            ],
            "expertise": ["小学", "初中", "高中", "小学;初中", "小学", "高中"],
        }
    )
    u, e = tmp_path / "units.csv", tmp_path / "experts.xlsx"
    units.to_csv(u, index=False, encoding="gbk")  # Chinese Excel's CSV encoding
    experts.to_excel(e, index=False)
    return u, e, tmp_path


def test_assign_writes_pairs_and_json(monkeypatch, capsys, files):
    units, experts, tmp = files
    out = tmp / "pairs.xlsx"
    code, stdout, _ = run(
        monkeypatch,
        capsys,
        "assign",
        str(units),
        str(experts),
        "-r",
        "2",
        "--match",
        "type=expertise",
        "--output",
        str(out),
        "--json",
    )
    assert code == 0
    report = json.loads(stdout)
    assert report["status"] == "optimal" and report["load_spread"] == 0
    assert report["gap"] == 0 and report["bound"] == pytest.approx(report["total_affinity"])
    pairs = pd.read_excel(out, engine="calamine")
    assert len(pairs) == 12
    # an expert of county C1 never reviews a school of county C1
    merged = pairs.merge(pd.read_csv(units, encoding="gbk"), left_on="unit", right_on="id")
    assert not (
        merged["path"].astype(str).str.zfill(15).str[5:10].map(int)
        == merged["expert_org"].str[1:].map(int)
    ).any()


def test_assign_infeasible_exits_2_naming_the_unit(monkeypatch, capsys, files):
    units, experts, _ = files
    code, _, err = run(monkeypatch, capsys, "assign", str(units), str(experts), "-r", "3")
    assert code == 2
    assert "error: The assignment cannot meet every constraint" in err
    assert "unit S0 has only 4 eligible expert(s) from 2 organisation(s) for r=3" in err
    assert "Traceback" not in err


def test_assign_bad_match_option_exits_2(monkeypatch, capsys, files):
    units, experts, _ = files
    code, _, err = run(monkeypatch, capsys, "assign", str(units), str(experts), "--match", "type")
    assert code == 2 and "UNIT_COLUMN=EXPERT_COLUMN" in err


def test_reconcile_ranking_and_exit_2(monkeypatch, capsys, tmp_path):
    rows = [
        (f"U{i}", f"E{j}", 60 + 5 * i + j * (3 if i == 2 else 1))
        for i in range(5)
        for j in range(4)
    ]
    scores = tmp_path / "scores.csv"
    pd.DataFrame(rows, columns=["unit", "expert", "score"]).to_csv(scores, index=False)
    selfs = tmp_path / "self.csv"
    pd.DataFrame({"unit": [f"U{i}" for i in range(5)], "score": [90, 80, 70, 60, 50]}).to_csv(
        selfs, index=False
    )
    out = tmp_path / "ranking.csv"
    code, stdout, _ = run(
        monkeypatch,
        capsys,
        "reconcile",
        str(scores),
        "--self",
        str(selfs),
        "--weights",
        "1,1",
        "--max-range",
        "5",
        "-o",
        str(out),
        "--json",
    )
    assert code == 0
    report = json.loads(stdout)
    assert report["design"] == "crossed"
    assert report["weights"] == {"self": 0.5, "expert": 0.5}
    assert report["flagged"] == ["U2"]
    assert set(report["icc"]) >= {"ICC(2,1)", "ICC(2,k)"}
    ranking = pd.read_csv(out, encoding="utf-8-sig")
    assert ranking["rank"].tolist() == [1, 2, 3, 4, 5]
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,expert,score\nU1,E1,80\nU1,E2,优\n", encoding="utf-8")
    code, _, err = run(monkeypatch, capsys, "reconcile", str(bad))
    assert code == 2
    assert "Column 'score', row 3: '优' is not a number" in err
