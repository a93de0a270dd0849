"""The pure file reader: formats, encodings, headers and every kind of bad upload."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shidian.apps.orgs import unitfile, unitrows
from shidian.apps.orgs.models import Level, Locality, SchoolType
from shidian.apps.orgs.unitfile import UnitFileError, read_unit_file
from shidian.apps.orgs.unitrows import clean_row
from tests.orgs.files import HEADER, csv_bytes, xlsx, zip_bomb

LIMIT = 20 * 1024 * 1024
ROWS = [["A9", "甲县第九小学", "A1", "学校", "小学", "城区", "A1", "1,200"]]


def read(data: bytes, name: str):
    return read_unit_file(data, name, max_bytes=LIMIT)


@pytest.mark.parametrize("module", [unitfile, unitrows])
def test_module_does_not_import_django(module):
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not any(name.startswith("django") for name in imported)


def test_every_model_choice_is_accepted_by_label_and_code():
    from django.utils import translation

    # The Chinese labels: an earlier request in English may have left "en" active in this thread.
    with translation.override("zh-hans"):
        for choices, lookup in (
            (Level, unitrows.LEVEL_LOOKUP),
            (SchoolType, unitrows.SCHOOL_TYPE_LOOKUP),
            (Locality, unitrows.LOCALITY_LOOKUP),
        ):
            for value, label in choices.choices:
                assert lookup[unitrows.normalise(str(label))] == value
                assert lookup[unitrows.normalise(value)] == value


def test_xlsx_with_chinese_headers():
    parsed = read(xlsx(ROWS), "units.xlsx")
    assert parsed.kind == "xlsx"
    assert parsed.columns[:3] == ["code", "name", "parent_code"]
    row = clean_row(parsed.rows[0])
    assert row.line == 2 and row.code == "A9" and not row.problems
    assert row.values["students"] == 1200
    assert row.values["school_type"] == "primary" and row.values["locality"] == "urban"


def test_english_headers_and_codes():
    header = ["code", "name", "parent code", "level", "school type", "urban/rural", "zone"]
    parsed = read(
        csv_bytes([["X1", "X", "A", "school", "junior_high", "rural", ""]], header), "u.csv"
    )
    row = clean_row(parsed.rows[0])
    assert row.values["level"] == "school" and row.values["school_type"] == "junior_high"


def test_gbk_csv():
    parsed = read(csv_bytes(ROWS, encoding="gbk"), "gbk.csv")
    assert parsed.rows[0].values["name"] == "甲县第九小学"


def test_utf8_bom_csv():
    data = b"\xef\xbb\xbf" + csv_bytes(ROWS)
    parsed = read(data, "bom.csv")
    assert parsed.columns[0] == "code"


def test_title_row_above_the_header_is_skipped():
    parsed = read(xlsx(ROWS, before=[["甲县学校名单"]], merge="A1:D1"), "t.xlsx")
    assert parsed.rows[0].line == 3


def test_merged_header_cells_are_refused():
    with pytest.raises(UnitFileError) as info:
        read(xlsx(ROWS, merge="A1:B1"), "m.xlsx")
    assert info.value.code == "merged_header" and info.value.params["cells"] == "A1:B1"


def test_extra_sheets_use_the_sheet_named_units():
    data = xlsx(ROWS, sheet="单位", extra_sheets=[("说明", [["这不是数据"]])])
    parsed = read(data, "x.xlsx")
    assert parsed.sheet == "单位" and parsed.ignored_sheets == ["说明"]
    notes_first = xlsx([], header=["说明"], sheet="说明", extra_sheets=[("units", [HEADER, *ROWS])])
    assert read(notes_first, "y.xlsx").sheet == "units"


def test_extra_sheets_default_to_the_first():
    data = xlsx(ROWS, sheet="学校", extra_sheets=[("Sheet2", [["a", "b"]])])
    parsed = read(data, "x.xlsx")
    assert parsed.sheet == "学校" and len(parsed.rows) == 1


@pytest.mark.parametrize(
    "data,name,code",
    [
        (b"code,name\nA,B\n", "fake.xlsx", "not_xlsx"),
        (b"%PDF-1.4 ...", "fake.csv", "not_csv"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "old_xls"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.csv", "not_csv"),
        (b"PK\x03\x04garbage", "broken.xlsx", "corrupt_xlsx"),
        (b"", "empty.csv", "empty"),
        (b"a,b\n1,2\n", "units.txt", "bad_extension"),
        ("代码,名称\n".encode(), "header-only.csv", "no_rows"),
        (b"foo,bar\n1,2\n", "no-header.csv", "no_header"),
        ("代码,名称,代码\nA,B,C\n".encode(), "dup.csv", "duplicate_column"),
        (b'code,name\n"A,B\n', "quote.csv", "bad_csv"),
        (b"\xff\xfe\xfa\xfb\x81\x30" * 10, "bin.csv", "encoding"),
    ],
)
def test_malformed_files_are_refused_with_a_code(data, name, code):
    with pytest.raises(UnitFileError) as info:
        read(data, name)
    assert info.value.code == code


def test_zip_with_xlsx_names_is_checked_for_content_types():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(UnitFileError) as info:
        read(buffer.getvalue(), "archive.xlsx")
    assert info.value.code == "not_xlsx"


def test_zip_bomb_is_refused_before_parsing():
    with pytest.raises(UnitFileError) as info:
        read(zip_bomb(), "bomb.xlsx")
    assert info.value.code == "zip_bomb"


def test_oversized_upload():
    with pytest.raises(UnitFileError) as info:
        read_unit_file(csv_bytes(ROWS * 100), "big.csv", max_bytes=1000)
    assert info.value.code == "too_large"


def test_ten_thousand_rows_fit_the_default_limit():
    rows = [[f"S{i}", f"学校{i}", "A", "学校", "小学", "乡村", "", str(i)] for i in range(10_000)]
    data = xlsx(rows)
    assert len(data) < LIMIT
    assert len(read(data, "big.xlsx").rows) == 10_000


@pytest.mark.parametrize(
    "column,value,code",
    [
        ("学生数", "很多", "bad_number"),
        ("学生数", "-3", "bad_number"),
        ("学生数", "12.5", "bad_number"),
        ("纬度", "91", "bad_number"),
        ("学校类型", "大学", "unknown_school_type"),
        ("层级", "乡", "unknown_level"),
        ("城乡", "郊区", "unknown_locality"),
        ("光纤接入", "也许", "bad_boolean"),
        ("名称", "（清空）", "cannot_clear"),
        ("代码", "", "missing_code"),
    ],
)
def test_row_problems(column, value, code):
    header = ["代码", "名称", column] if column not in ("代码", "名称") else ["代码", "名称"]
    row = {"代码": "Z1", "名称": "某校", column: value}
    parsed = read(csv_bytes([[row[h] for h in header]], header) + b"Z2,other\n", "p.csv")
    problems = [p.code for p in clean_row(parsed.rows[0]).problems]
    assert code in problems


def test_integral_floats_from_excel_are_whole_numbers():
    parsed = read(xlsx([["A9", "某校", "A1", "学校", "小学", "城区", "", 800.0]]), "f.xlsx")
    assert clean_row(parsed.rows[0]).values["students"] == 800
