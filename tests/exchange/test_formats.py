import json

import pytest
from openpyxl import Workbook

from shidian.apps.exchange import formats
from tests.campaigns.factories import xlsx_bytes


def test_csv_with_bom_semicolons_and_gb18030():
    assert formats.read_rows("\ufeffUnit,Value\nA1-1,3\n".encode(), "csv") == [
        {"unit": "A1-1", "value": "3"}
    ]
    assert formats.read_rows(b"unit;value\nA1-1;3,5\n", "csv") == [{"unit": "A1-1", "value": "3,5"}]
    assert formats.read_rows("unit,value\nA1-1,顺利\n".encode("gb18030"), "csv") == [
        {"unit": "A1-1", "value": "顺利"}
    ]


def test_blank_lines_keep_their_index_and_trailing_ones_go():
    rows = formats.read_rows(b"unit,value\nA,1\n,\nB,2\n\n\n", "csv")
    assert rows == [{"unit": "A", "value": "1"}, {}, {"unit": "B", "value": "2"}]


def test_json_list_or_values_object():
    rows = [{"Unit": "A1-1", "value": 3}]
    assert formats.read_rows(json.dumps(rows).encode(), "json") == [{"unit": "A1-1", "value": 3}]
    wrapped = json.dumps({"values": rows}).encode()
    assert formats.read_rows(wrapped, "json")[0]["value"] == 3
    with pytest.raises(formats.FormatError):
        formats.read_rows(b'{"rows": []}', "json")
    with pytest.raises(formats.FormatError):
        formats.read_rows(b"[1, ", "json")


def test_xlsx_first_sheet():
    book = Workbook()
    book.active.append(["unit", "value"])
    book.active.append(["A1-1", 12])
    data = xlsx_bytes(book)
    assert formats.detect(data=data) == "xlsx"
    assert formats.read_rows(data, "xlsx") == [{"unit": "A1-1", "value": 12}]
    with pytest.raises(formats.FormatError):
        formats.read_rows(b"PK\x03\x04 not really", "xlsx")


def test_detect_and_refusals():
    assert formats.detect(data=b"[{}]") == "json"
    assert formats.detect(data=b"a,b", content_type="application/json") == "json"
    assert formats.detect(data=b"{}", filename="x.csv") == "csv"
    assert formats.detect(data=b"{}", given="csv") == "csv"
    with pytest.raises(formats.FormatError):
        formats.read_rows(b"  ", "csv")
    with pytest.raises(formats.FormatError) as missing:
        formats.require_columns([{"unit": "A"}], ["unit", "value"])
    assert missing.value.code == "bad_columns"


def test_write_csv_opens_in_excel_and_reads_back():
    data = formats.write_csv(["unit", "value"], [{"unit": "A1-1", "value": "顺利"}])
    assert data.startswith("\ufeff".encode())
    assert formats.read_rows(data, "csv") == [{"unit": "A1-1", "value": "顺利"}]
