"""Import/export of standards: YAML and XLSX round trips and row-level validation messages."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from openpyxl import Workbook

from shidian.engine.scoring import dump_yaml, load_yaml, read_xlsx, write_xlsx
from tests.engine.scoring_strategies import standards


@settings(max_examples=60, deadline=None)
@given(standards())
def test_yaml_round_trip(standard):
    loaded, problems, _ = load_yaml(dump_yaml(standard))
    assert loaded == standard
    assert [p for p in problems if p.code == "bad_file"] == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(standards())
def test_xlsx_round_trip(standard):
    buffer = io.BytesIO()
    write_xlsx(standard, buffer)
    loaded, _problems, rows = read_xlsx(buffer.getvalue())
    assert loaded == standard
    assert all(rows[item.code] >= 2 for item in standard.items())


def _bureau_workbook(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["某县中小学校信息化建设评估标准"])
    ws.append(["一级指标", "二级指标", "评分要点", "评分说明", "分值", "评分方式", "等级/阈值"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_bureau_layout_with_merged_cells_and_generated_codes():
    wb = Workbook()
    ws = wb.active
    ws.append(["一级指标", "一级分值", "二级指标", "评分要点", "分值", "等级/阈值"])
    ws.append(["基础设施", 10, "网络", "校园网全覆盖", 6, "A=6;B=4;C=0"])
    ws.append([None, None, None, "出口带宽", 4, None])
    ws.append(["安全", 5, "制度", "有安全制度", 5, None])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.merge_cells("C2:C3")
    buffer = io.BytesIO()
    wb.save(buffer)
    standard, problems, rows = read_xlsx(buffer.getvalue(), default_code="X")
    assert problems == []
    assert [d.code for d in standard.dimensions] == ["D1", "D2"]
    first = standard.dimensions[0].indicators[0]
    assert [i.code for i in first.items] == ["D1.1.1", "D1.1.2"]
    assert first.items[0].method == "levels"
    assert rows["D1.1.2"] == 3


def test_every_problem_names_its_row():
    data = _bureau_workbook(
        [
            ["基础设施", "网络", "校园网全覆盖", "", "十分", "等级", ""],
            ["", "", "出口带宽", "", 4, "等级", "A=4;B=9"],
            ["", "", "生机比", "", 4, "数值", ""],
            ["", "", "安全", "", 4, "神秘方法", ""],
        ]
    )
    _standard, problems, _ = read_xlsx(data, default_code="X")
    by_row = {(p.row, p.code) for p in problems}
    assert (3, "not_a_number") in by_row  # maximum "十分"
    assert (3, "missing_levels") in by_row  # levels without a table
    assert (4, "level_out_of_range") in by_row
    assert (5, "missing_thresholds") in by_row
    assert (6, "bad_method") in by_row
    assert all(p.row for p in problems)


def test_duplicate_codes_and_sum_check():
    text = """
code: S
name: 测试
check_sums: true
dimensions:
  - code: D1
    name: 基础
    max_score: 10
    indicators:
      - code: D1.1
        name: 网络
        max_score: 6
        items:
          - {code: A, text: 一, max_score: 3}
          - {code: A, text: 二, max_score: 2}
"""
    _standard, problems, _ = load_yaml(text)
    codes = [p.code for p in problems]
    assert "duplicate_code" in codes
    assert codes.count("sum_mismatch") == 2


def test_corrupted_files_are_problems():
    assert read_xlsx(b"not a zip")[1][0].code == "bad_file"
    assert load_yaml("a: [unclosed")[1][0].code == "bad_yaml"
