"""Import/export of standards: YAML and XLSX round trips and row-level validation messages."""

from __future__ import annotations

import io
import zipfile

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from openpyxl import Workbook, load_workbook

from shidian.engine.scoring import (
    MAX_LENGTHS,
    Dimension,
    Indicator,
    Item,
    Standard,
    dump_yaml,
    load_yaml,
    read_standard,
    read_xlsx,
    write_xlsx,
)
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


# --- malformed trees, broken files, lengths, control characters (each answered 500 before) -----
HEAD = "code: S\nname: 测试\n"
ITEM = "{code: A, text: 光纤, max_score: 2}"


@pytest.mark.parametrize(
    ("body", "code", "row"),
    [
        ("dimensions: 5", "not_a_list", 3),
        ("dimensions: [1, 2]", "not_a_mapping", 3),
        ("dimensions: {D1: x}", "not_a_list", 3),
        ("dimensions:\n  - code: D1\n    indicators: {a: 1}", "not_a_list", 5),
        ("dimensions:\n  - code: D1\n    indicators: [abc]", "not_a_mapping", 5),
        (
            "dimensions:\n  - code: D1\n    indicators:\n      - code: I1\n        items: [abc]",
            "not_a_mapping",
            7,
        ),
        (
            "dimensions:\n  - code: D1\n    indicators:\n      - code: I1\n        items: text",
            "not_a_list",
            7,
        ),
        (
            "dimensions:\n  - code: D1\n    indicators:\n      - code: I1\n        items:\n"
            "          - {code: A, text: t, max_score: 2, method: 数值, thresholds: [5, 6]}",
            "bad_thresholds",
            8,
        ),
        (
            "dimensions:\n  - code: D1\n    indicators:\n      - code: I1\n        items:\n"
            "          - {code: [A], text: t, max_score: {a: 1}}",
            "not_text",
            8,
        ),
    ],
)
def test_a_yaml_tree_of_the_wrong_shape_is_a_problem_on_its_line(body, code, row):
    standard, problems, _ = load_yaml(HEAD + body)
    found = [p for p in problems if p.code == code]
    assert found, problems
    assert found[0].row == row
    assert "must be" in found[0].message or "not understood" in found[0].message


def _xlsx_with_sheet_xml(edit) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["一级指标", "二级指标", "评分要点", "分值"])
    for index in range(40):
        ws.append(["基础设施", "网络", f"item-{index}", 2])
    source = zipfile.ZipFile(io.BytesIO(_save(wb)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = edit(data)
            target.writestr(name, data)
    return out.getvalue()


def _save(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda d: d[: len(d) // 2], id="truncated"),
        pytest.param(lambda d: d.replace(b'<c r="C9"', b'&foo;<c r="C9"', 1), id="entity"),
        pytest.param(lambda d: d.replace(b"<t>", b"<t>&foo;", 1), id="entity-in-text"),
    ],
)
def test_broken_sheet_xml_is_bad_file_not_a_crash(edit):
    data = _xlsx_with_sheet_xml(edit)
    standard, problems, _ = read_xlsx(data)
    assert standard is None
    assert [p.code for p in problems] == ["bad_file"]
    assert read_standard(name="bureau.xlsx", data=data)[1][0].code == "bad_file"


def test_a_10004_character_item_code_is_refused_naming_field_and_row():
    wb = Workbook()
    ws = wb.active
    ws.append(["一级指标", "二级指标", "评分要点编号", "评分要点", "分值"])
    ws.append(["基础", "网络", "A1", "光纤", 2])
    ws.append(["基础", "网络", "X" * 10_004, "无线", 2])
    _standard, problems, _ = read_xlsx(_save(wb), default_code="S")
    [long] = [p for p in problems if p.code == "too_long"]
    assert long.row == 3
    assert long.params["field"] == "code"
    assert long.params["limit"] == MAX_LENGTHS["code"] == 64
    assert long.params["length"] == 10_004


@pytest.mark.parametrize(
    ("field", "value", "limit"),
    [
        ("name", "名" * 201, "name"),
        ("text", "字" * 2001, "text"),
        ("guidance", "说" * 4001, "guidance"),
        ("numerator", "子" * 101, "label"),
    ],
)
def test_every_stored_field_has_a_length_limit(field, value, limit):
    item = {"code": "A", "text": "光纤", "max_score": 2, field: value}
    if field == "name":
        data = {"code": "S", "name": value, "dimensions": []}
    else:
        data = {"code": "S", "name": "s", "dimensions": [_one(item)]}
    text = yaml.safe_dump(data, allow_unicode=True)
    problems = [p for p in load_yaml(text)[1] if p.code == "too_long"]
    assert [p.params["field"] for p in problems] == [field]
    assert problems[0].params["limit"] == MAX_LENGTHS[limit]
    assert problems[0].row is not None


def _one(item: dict) -> dict:
    return {"code": "D1", "name": "d", "indicators": [{"code": "I1", "name": "i", "items": [item]}]}


def test_the_limits_are_the_database_columns():
    from shidian.apps.campaigns.models import Evidence
    from shidian.apps.standards.models import Standard, StandardVersion

    assert Standard._meta.get_field("code").max_length == MAX_LENGTHS["code"]
    assert Standard._meta.get_field("name").max_length == MAX_LENGTHS["name"]
    assert StandardVersion._meta.get_field("note").max_length == MAX_LENGTHS["note"]
    assert Evidence._meta.get_field("item_code").max_length == MAX_LENGTHS["code"]


def test_control_characters_are_cleaned_from_yaml():
    data = _one({"code": "A\x00", "text": "第一行\x0b第二行\x00", "max_score": 2})
    data["name"] = "网络\x1f环境"
    text = yaml.safe_dump({"code": "S", "name": "s", "dimensions": [data]}, allow_unicode=True)
    standard, problems, _ = load_yaml(text)
    assert problems == []
    assert standard.dimensions[0].name == "网络环境"
    item = standard.items()[0]
    assert (item.code, item.text) == ("A", "第一行\n第二行")


def test_control_characters_are_cleaned_from_xlsx():
    # Excel keeps a vertical tab pasted from Word as _x000B_ (XML cannot carry the character).
    def edit(data: bytes) -> bytes:
        return data.replace(b"item-3<", b"line one_x000B_line_x0000_ two<", 1)

    standard, problems, _ = read_xlsx(_xlsx_with_sheet_xml(edit), default_code="S")
    assert problems == []
    texts = [item.text for item in standard.items()]
    assert "line one\nline two" in texts


def test_export_survives_control_characters_already_in_a_standard():
    item = Item("A\x00", "第一行\x0b第二行\x07", 2, guidance='=HYPERLINK("x")')
    standard = Standard(
        "S", "名\x00称", (Dimension("D\x01", "基础", (Indicator("I", "网络", (item,)),)),)
    )
    buffer = io.BytesIO()
    write_xlsx(standard, buffer)  # openpyxl raised IllegalCharacterError here
    loaded, problems, _ = read_xlsx(buffer.getvalue())
    assert problems == []
    assert loaded.items()[0].text == "第一行第二行"
    assert loaded.items()[0].guidance == '=HYPERLINK("x")'
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["指标体系"]
    assert sheet["K2"].data_type == "s"  # text, never a live formula


def test_a_duplicate_code_is_reported_on_its_own_row_only():
    wb = Workbook()
    ws = wb.active
    ws.append(["一级指标", "二级指标", "评分要点编号", "评分要点", "分值"])
    ws.append(["基础", "网络", "A1", "光纤", 2])
    ws.append([None, None, "A1", "无线", 3])
    _standard, problems, _ = read_xlsx(_save(wb), default_code="S")
    assert [(p.code, p.row) for p in problems] == [("duplicate_code", 3)]
    assert problems[0].params["first"] == 2
    assert max(p.row for p in problems) <= ws.max_row


def test_a_repeated_dimension_or_indicator_code_is_reported_where_it_repeats():
    wb = Workbook()
    ws = wb.active
    ws.append(["一级指标编号", "一级指标", "二级指标编号", "二级指标", "评分要点", "分值"])
    ws.append(["D1", "基础", "D1.1", "网络", "光纤", 2])
    ws.append(["D2", "安全", "D1.1", "制度", "制度", 2])
    ws.append(["D1", "保障", "D3.1", "经费", "经费", 2])
    _standard, problems, _ = read_xlsx(_save(wb), default_code="S")
    # the item code generated under the repeated indicator repeats too, on the same row
    assert sorted((p.code, p.item, p.row) for p in problems) == [
        ("duplicate_code", "D1", 4),
        ("duplicate_code", "D1.1", 3),
        ("duplicate_code", "D1.1.1", 3),
    ]


def test_yaml_problems_name_the_line():
    text = """code: S
name: 测试
dimensions:
  - code: D1
    name: 基础
    indicators:
      - code: I1
        name: 网络
        items:
          - {code: A, text: 一, max_score: 3}
          - {code: A, text: 二, max_score: 二分}
"""
    _standard, problems, rows = load_yaml(text)
    assert {(p.code, p.row) for p in problems} == {("duplicate_code", 11), ("not_a_number", 11)}
    assert rows["A"] == 10
