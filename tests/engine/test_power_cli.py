"""`shidian power` from the command line: the table, the JSON report, exit status 2."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest

from shidian.cli.app import main
from shidian.engine.power import minimum_detectable_effect


def run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["shidian", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_sentence_and_table(monkeypatch, capsys):
    code, out, _ = run(
        monkeypatch, capsys, "power", "--pilots", "14", "--controls", "28", "--sigma", "12.31"
    )
    assert code == 0
    expected = minimum_detectable_effect(14, 28, 12.31).effect
    assert f"With 14 pilots and 28 controls an effect below {expected:.1f}" in out


def test_json_with_sd_from_a_table(monkeypatch, capsys, tmp_path):
    path = tmp_path / "scores.csv"
    scores = [60, 70, 75, 80, 90, 95, 65, 85]
    pd.DataFrame({"id": [f"0{i}" for i in range(8)], "score": scores}).to_csv(path, index=False)
    code, out, _ = run(
        monkeypatch,
        capsys,
        "power",
        "--pilots",
        "5",
        "--input",
        str(path),
        "--column",
        "score",
        "--rho",
        "0.5",
        "--json",
    )
    assert code == 0
    report = json.loads(out)
    assert report["sigma"] == pytest.approx(pd.Series(scores).std())
    assert [r["design"]["n_c"] for r in report["per_pilot"]] == [5, 10, 15, 20, 25]
    assert report["per_pilot"][0]["factor"] == pytest.approx(0.75**0.5)


@pytest.mark.parametrize(
    "args",
    [
        ["--pilots", "14"],
        ["--pilots", "14", "--sigma", "5", "--method", "z"],
        ["--pilots", "0", "--sigma", "5"],
        ["--pilots", "5", "--sigma", "5", "--power", "1.5"],
    ],
)
def test_bad_input_exits_2_with_a_reason(monkeypatch, capsys, args):
    code, _, err = run(monkeypatch, capsys, "power", *args)
    assert code == 2 and err.startswith("error: ")
