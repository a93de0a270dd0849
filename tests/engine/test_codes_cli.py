"""Codes stay text through every engine command: "007" stays "007", "430121000001" stays whole.

Bureaus' unit codes have leading zeros (片区 "0012") and are long (学校标识码 "430121000001");
read as numbers they become 7, 12 and 4.30121E+11, and the output no longer matches the office's
own lists. Each command here reads CSV and XLSX input and writes CSV and XLSX output.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook

from shidian.engine.tables import is_id_column, read_table, write_table

CODES = ["007", "0012", "430121000001", "43012100000100000001", "0099", "5", "06", "8"]


def write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """A CSV as Excel saves it, or an XLSX whose code cells are text (as typed in a text column)."""
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    else:
        book = Workbook()
        book.active.append(header)
        for row in rows:
            book.active.append(row)
        book.save(path)
    return path


def read_output(path: Path, column: str) -> list[str]:
    """The column's cells exactly as stored (XLSX cells must be text, not numbers)."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [row[column] for row in csv.DictReader(handle)]
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    cells = [row[header.index(column)] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in cells), [(c.value, c.data_type) for c in cells]
    return [c.value for c in cells]


@pytest.fixture(params=["csv", "xlsx"])
def suffix(request) -> str:
    return request.param


@pytest.fixture(params=["csv", "xlsx"])
def out_suffix(request) -> str:
    return request.param


def test_select_keeps_codes_in_the_output_and_the_report(cli, tmp_path, suffix, out_suffix):
    scores = [99, 98, 97, 96, 10, 50, 40, 30]
    rows = [[code, score] for code, score in zip(CODES, scores, strict=True)]
    data = write(tmp_path / f"in.{suffix}", ["学校", "总分"], rows)
    include = write(tmp_path / f"include.{suffix}", ["学校", "reason"], [["0099", "县里指定"]])
    out = tmp_path / f"pilots.{out_suffix}"
    code, stdout, stderr = cli(
        "select", data, "-k", 5, "--score", "总分", "--id", "学校", "--include", include,
        "-o", out, "--json",
    )  # fmt: skip
    assert code == 0, stderr
    chosen = {"007", "0012", "430121000001", "43012100000100000001", "0099"}
    assert set(json.loads(stdout)["selected"]) == chosen
    assert set(read_output(out, "学校")) == chosen


def test_match_keeps_codes(cli, tmp_path, suffix, out_suffix):
    rng = np.random.default_rng(1)
    codes = [f"{i:04d}" for i in range(40)] + ["430121000001", "007"]
    rows = [[c, int(i % 3 == 0), round(float(rng.normal()), 3)] for i, c in enumerate(codes)]
    data = write(tmp_path / f"units.{suffix}", ["学校", "试点", "学生数"], rows)
    out = tmp_path / f"matched.{out_suffix}"
    code, _, stderr = cli(
        "match", data, "--id", "学校", "--treated", "试点", "--covariates", "学生数", "-o", out
    )
    assert code == 0, stderr
    written = read_output(out, "学校")
    assert written and set(written) <= set(codes)
    assert "0000" in written  # row 0 is treated: a leading zero survives


def test_group_keeps_codes_of_the_first_column(cli, tmp_path, suffix, out_suffix):
    rows = [[code, 100 + 7 * i] for i, code in enumerate(CODES)]
    data = write(tmp_path / f"members.{suffix}", ["成员", "学生数"], rows)
    out = tmp_path / f"groups.{out_suffix}"
    code, _, stderr = cli(
        "group", data, "--groups", 2, "--features", "学生数", "--apart", "007:0012", "-o", out
    )
    assert code == 0, stderr
    assert sorted(read_output(out, "成员")) == sorted(CODES)


def test_assign_keeps_unit_and_expert_codes(cli, tmp_path, suffix, out_suffix):
    units = write(tmp_path / f"units.{suffix}", ["id"], [[c] for c in CODES[:4]])
    experts = [["0001", "010"], ["0002", "020"], ["0003", "030"], ["0004", "040"]]
    experts_file = write(tmp_path / f"experts.{suffix}", ["id", "org"], experts)
    out = tmp_path / f"pairs.{out_suffix}"
    code, _, stderr = cli("assign", units, experts_file, "--per-unit", 2, "-o", out)
    assert code == 0, stderr
    assert set(read_output(out, "unit")) == set(CODES[:4])
    assert set(read_output(out, "expert")) <= {"0001", "0002", "0003", "0004"}


def test_reconcile_keeps_unit_codes(cli, tmp_path, suffix, out_suffix):
    rows = [
        [unit, expert, 60 + 5 * u + e + (u * e) % 3 * 0.5]
        for u, unit in enumerate(CODES[:4])
        for e, expert in enumerate(["0001", "0002", "0003"])
    ]
    data = write(tmp_path / f"scores.{suffix}", ["unit", "expert", "score"], rows)
    out = tmp_path / f"ranking.{out_suffix}"
    code, _, stderr = cli("reconcile", data, "-o", out)
    assert code == 0, stderr
    assert read_output(out, "unit") == ["43012100000100000001", "430121000001", "0012", "007"]


def test_did_tells_007_from_7(cli, tmp_path, suffix):
    rng = np.random.default_rng(2)
    units = [f"{i:03d}" for i in range(12)] + [str(i) for i in range(12)]
    rows = []
    for year in range(2018, 2024):
        for i, unit in enumerate(units):
            treated = int(i % 2 == 0)
            effect = 3 * treated * (year >= 2021)
            rows.append([unit, year, treated, int(year >= 2021), 50 + effect + rng.normal()])
    header = ["学校", "年份", "试点", "实施后", "得分"]
    data = write(tmp_path / f"panel.{suffix}", header, rows)
    code, stdout, stderr = cli(
        "did", data, "--unit", "学校", "--period", "年份", "--treated", "试点",
        "--post", "实施后", "--outcome", "得分", "--json",
    )  # fmt: skip
    assert code == 0, stderr
    assert json.loads(stdout)["n_units"] == 24  # "000" and "0" are two schools


def test_read_table_reads_id_columns_as_text(tmp_path, suffix):
    # A long code typed as a number in Excel is still a whole code, not 4.30121E+11.
    rows = [["007", 430121000001, "1.5"], ["0012", 12, "2"]]
    frame = read_table(write(tmp_path / f"t.{suffix}", ["编号", "学校代码", "分数"], rows))
    assert frame["编号"].tolist() == ["007", "0012"]
    assert frame["学校代码"].tolist() == ["430121000001", "12"]
    assert frame["分数"].tolist() == [1.5, 2.0]


def test_write_table_writes_text_as_text_and_numbers_as_numbers(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"code": ["007", "=1+1"], "n": [1, 2.5]})
    sheet = load_workbook(write_table(frame, tmp_path / "o.xlsx")).active
    assert [(c.value, c.data_type) for c in sheet["A"][1:]] == [("007", "s"), ("=1+1", "s")]
    assert [c.value for c in sheet["B"][1:]] == [1, 2.5]


@pytest.mark.parametrize(
    "name,expected",
    [("id", True), ("学校代码", True), ("编号", True), ("unit_id", True), ("org_path", True)]
    + [("学生数", False), ("score", False), ("年份", False)],
)
def test_id_columns_are_recognised_by_name(name, expected):
    assert is_id_column(name) is expected
