"""The shared rules for control characters and XLSX cells."""

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from shidian.textclean import clean_text, has_control
from shidian.xlsxcell import column_letter, safe_value, set_text


def test_clean_text_drops_controls_and_turns_word_breaks_into_lines():
    assert clean_text("甲\x00县\x0b第一小学") == "甲县 第一小学"
    assert clean_text("第一行\x0b第二行", multiline=True) == "第一行\n第二行"
    assert clean_text("  a\r\nb  ", multiline=True) == "a\nb"
    assert clean_text("tab\there") == "tab here"


@settings(deadline=None)
@given(st.text())
def test_cleaned_text_has_no_control_characters(value):
    for multiline in (False, True):
        cleaned = clean_text(value, multiline=multiline)
        assert not has_control(cleaned)
        assert cleaned == clean_text(cleaned, multiline=multiline)


def test_column_letters_go_past_z():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


@settings(deadline=None)  # writes two workbooks per example: slow on a loaded machine
@given(st.text(max_size=40))
def test_any_text_can_be_written_and_read_back(value):
    book = Workbook(write_only=True)
    ws = book.create_sheet("t")
    ws.append([safe_value(ws, value)])
    normal = Workbook()
    set_text(normal.active["A1"], value)
    for wb in (book, normal):
        buffer = io.BytesIO()
        wb.save(buffer)  # never IllegalCharacterError
        cell = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]["A1"]
        assert cell.data_type != "f"
