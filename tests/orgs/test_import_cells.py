"""What a cell means: control characters, partial files, empty cells, the clear marker, lengths.

An import must never store what breaks an export, never wipe values the file does not mention,
and refuse over-long values row by row on SQLite exactly as on PostgreSQL.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shidian.apps.orgs.imports import UnitImportError, import_apply, import_preview
from shidian.apps.orgs.models import ImportBatch, OrgUnit
from tests.orgs.files import csv_bytes, xlsx

pytestmark = pytest.mark.django_db

FULL = ["代码", "名称", "上级代码", "层级", "学校类型", "城乡", "片区", "地址", "纬度", "经度"]
FULL += ["学生数"]


def preview(user, rows, header, name="units.xlsx"):
    data = xlsx(rows, header) if name.endswith(".xlsx") else csv_bytes(rows, header)
    return import_preview(actor=user, filename=name, data=data)


def only(batch):
    assert len(batch.plan) == 1
    return batch.plan[0]


@pytest.fixture
def school(tree):
    """County A's first school with every attribute the tests may lose."""
    OrgUnit.objects.filter(pk=tree.school.pk).update(
        address="东街 1 号", latitude=30.5, longitude=114.25, teachers=60, has_fibre=True
    )
    tree.school.refresh_from_db()
    return tree.school


def snapshot(unit):
    unit.refresh_from_db()
    fields = ("name", "school_type", "locality", "zone_id", "address", "latitude", "longitude")
    fields += ("students", "teachers", "has_fibre", "parent_id", "path")
    return {f: getattr(unit, f) for f in fields}


# --- control characters ---------------------------------------------------------------------


def test_control_characters_in_an_xlsx_are_dropped_on_import(office_user, tree):
    # Excel stores control characters as _xHHHH_ escapes; calamine turns them back into C0.
    name, school_type, address = "甲县_x000B_第三_x0000_小学", "小学_x001F_", "西街_x0007_2 号"
    rows = [["N1", name, "A1", "学校", school_type, "", "", address]]
    batch = preview(office_user, rows, FULL[:8])
    assert only(batch)["action"] == "create", batch.plan
    import_apply(batch=batch, actor=office_user)
    unit = OrgUnit.objects.get(code="N1")
    assert unit.name == "甲县 第三小学"  # Word's vertical tab is a line break: one space
    assert unit.school_type == "primary" and unit.address == "西街2 号"


def test_control_characters_in_a_csv_are_dropped_on_import(office_user, tree):
    rows = [["N\x002", "乙\x0c校", "A1", "学校", "", "", "", "南\x1b路"]]
    import_apply(batch=preview(office_user, rows, FULL[:8], "u.csv"), actor=office_user)
    unit = OrgUnit.objects.get(code="N2")
    assert (unit.name, unit.address) == ("乙 校", "南路")


def test_export_with_a_stored_control_character_still_answers(office_client, tree):
    # Stored before imports cleaned their input: the export must not fail for the office above.
    # (NUL itself cannot reach PostgreSQL text; \x01 stands for the other C0 characters.)
    OrgUnit.objects.filter(pk=tree.school.pk).update(name="甲县\x0b第一\x01小学", address="\x1f")
    response = office_client.get(reverse("orgs:export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["单位"]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "甲县第一小学" in names


def test_unit_search_drops_control_characters(office_client, tree):
    response = office_client.get(reverse("orgs:list"), {"q": "第一\x00小学"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "甲县第一小学" in page and "甲县第二初中" not in page  # searched, not refused


# --- columns the file does not carry, empty cells, the clear marker ---------------------------


def test_a_file_with_only_code_and_name_keeps_everything_else(office_user, school):
    before = snapshot(school)
    batch = preview(office_user, [["A1-1", "甲县第一小学"]], ["代码", "名称"])
    assert only(batch)["action"] == "unchanged", batch.plan
    assert snapshot(school) == before


def test_a_file_with_one_changed_column_changes_only_that_column(office_user, school):
    before = snapshot(school)
    batch = preview(office_user, [["A1-1", "甲县第一小学", "900"]], ["代码", "名称", "学生数"])
    assert only(batch)["changes"] == [["students", 800, 900]]
    import_apply(batch=batch, actor=office_user)
    assert snapshot(school) == {**before, "students": 900}


def test_short_csv_rows_keep_the_missing_cells(office_user, school):
    before = snapshot(school)
    data = ("\r\n".join([",".join(FULL), "A1-1,甲县第一小学"]) + "\r\n").encode()
    batch = import_preview(actor=office_user, filename="short.csv", data=data)
    assert only(batch)["action"] == "unchanged", batch.plan
    assert snapshot(school) == before


@pytest.mark.parametrize("name", ["units.xlsx", "units.csv"])
def test_empty_cells_keep_the_stored_values(office_user, school, name):
    before = snapshot(school)
    rows = [["A1-1", "甲县第一小学", "", "", "", "", "", "", "", "", ""]]
    batch = preview(office_user, rows, FULL, name)
    assert only(batch)["action"] == "unchanged", batch.plan
    assert snapshot(school) == before


@pytest.mark.parametrize("marker", ["（清空）", "(清空)", "清空", "(clear)", "CLEAR"])
def test_the_clear_marker_clears_a_value(office_user, school, marker):
    rows = [["A1-1", "甲县第一小学", "", "", marker, marker, marker, marker, marker, "", marker]]
    batch = preview(office_user, rows, FULL)
    changes = {key: (old, new) for key, old, new in only(batch)["changes"]}
    assert changes == {
        "school_type": ("primary", ""),
        "locality": ("urban", ""),
        "zone": ("A1", ""),
        "address": ("东街 1 号", ""),
        "latitude": (30.5, None),
        "students": (800, None),
    }
    import_apply(batch=batch, actor=office_user)
    after = snapshot(school)
    assert after["school_type"] == after["locality"] == after["address"] == ""
    assert after["zone_id"] is after["latitude"] is after["students"] is None
    assert after["longitude"] == 114.25 and after["teachers"] == 60 and after["has_fibre"]


@pytest.mark.parametrize("column", ["名称", "上级代码", "层级"])
def test_required_columns_cannot_be_cleared(office_user, school, column):
    header = ["代码", "名称"] + ([column] if column != "名称" else [])
    batch = preview(office_user, [["A1-1", "甲县第一小学", "（清空）"][: len(header)]], header)
    if column == "名称":
        batch = preview(office_user, [["A1-1", "（清空）"]], header)
    assert [code for code, _ in only(batch)["errors"]] == ["cannot_clear"]


def test_the_preview_shows_a_cleared_value(office_client, office_user, school):
    header = ["代码", "名称", "学校类型"]
    batch = preview(office_user, [["A1-1", "甲县第一小学", "（清空）"]], header)
    url = reverse("orgs:import_review", args=[batch.pk])
    page = office_client.get(url).content.decode()
    assert '学校类型：小学 → <em class="cleared">（已清空）</em>' in page
    office_client.cookies["shidian_language"] = "en"
    page = office_client.get(url).content.decode()
    assert "(cleared)" in page


def test_the_template_explains_the_clear_marker(office_client):
    book = load_workbook(io.BytesIO(office_client.get(reverse("orgs:template")).content))
    text = " ".join(str(c) for row in book["说明"].iter_rows(values_only=True) for c in row if c)
    assert "（清空）" in text and "空白单元格都保持原值不变" in text


def test_a_new_unit_without_a_name_is_still_rejected(office_user, tree):
    batch = preview(office_user, [["N9", "", "A1", "学校"]], ["代码", "名称", "上级代码", "层级"])
    assert "missing_name" in [code for code, _ in only(batch)["errors"]]


# --- lengths ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column,value,limit",
    [("代码", "X" * 33, 32), ("名称", "校" * 201, 200), ("地址", "路" * 301, 300)],
)
def test_over_long_values_are_rejected_before_writing(office_user, tree, column, value, limit):
    row = {"代码": "N7", "名称": "新校", "地址": "", column: value}
    header = ["代码", "名称", "上级代码", "层级", "地址"]
    rows = [[row["代码"], row["名称"], "A1", "学校", row["地址"]]]
    batch = preview(office_user, rows, header)
    errors = only(batch)["errors"]
    assert ["too_long", {"column": _KEYS[column], "length": limit + 1, "limit": limit}] in errors
    before = OrgUnit.objects.count()
    with pytest.raises(UnitImportError):
        import_apply(batch=batch, actor=office_user)
    assert OrgUnit.objects.count() == before


_KEYS = {"代码": "code", "名称": "name", "地址": "address"}


def test_the_length_message_names_the_column_and_the_limit(office_client, office_user, tree):
    rows = [["N7", "新校", "A1", "学校", "路" * 301]]
    batch = preview(office_user, rows, ["代码", "名称", "上级代码", "层级", "地址"])
    page = office_client.get(reverse("orgs:import_review", args=[batch.pk])).content.decode()
    assert "地址过长：301 个字符，最多 300 个。" in page
    assert ImportBatch.objects.get().notes["counts"]["error"] == 1


def test_confirming_does_not_depend_on_how_the_rows_were_stored(office_user, school):
    # PostgreSQL's jsonb gives the stored row back with its keys sorted: the plan at
    # confirmation must still be the plan the user saw (same changes, same order, same digest).
    rows = [["A1-1", "甲县第一小学（新）", "", "", "初中", "乡村", "", "西街", "", "", "801"]]
    batch = preview(office_user, rows, FULL)
    ImportBatch.objects.filter(pk=batch.pk).update(
        rows=[{**r, "values": dict(reversed(list(r["values"].items())))} for r in batch.rows]
    )
    batch.refresh_from_db()
    assert import_apply(batch=batch, actor=office_user)["updated"] == 1
    school.refresh_from_db()
    assert (school.school_type, school.students, school.address) == ("junior_high", 801, "西街")
