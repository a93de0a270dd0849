"""The prefecture's coverage table: of 548 primary schools 371 had fibre (67.7%)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.indicators.worlds import prefecture


@pytest.fixture
def big(tree):
    from shidian.apps.orgs.models import OrgUnit

    prefecture(tree)
    # The fixture's two schools under zone A1 become "other" with fibre unknown, so the
    # prefecture's four types keep their exact figures.
    OrgUnit.objects.filter(code__in=["A1-1", "A1-2"]).update(  # scoping: ok test
        school_type="other", has_fibre=None
    )
    return tree


def test_attribute_table_by_school_type(big):
    from shidian.apps.indicators.selectors import attribute_table

    table = attribute_table("fibre", within=big.county, rows="school_type")
    primary = table.totals["primary"]
    assert (primary.numerator, primary.denominator, primary.unknown) == (371, 548, 0)
    assert primary.text(percent=True) == "67.7%"
    other = table.totals["other"]  # fibre unknown: counted as a school, not as connected
    assert (other.numerator, other.denominator, other.unknown) == (0, 2, 2)
    inside = attribute_table("fibre", within=big.zone, rows="school_type", columns="locality")
    assert inside.cells[("teaching_point", "rural")].numerator == 50
    mm = attribute_table("multimedia", within=big.county, rows="school_type")
    assert (mm.grand.numerator, mm.grand.denominator) == (7188, 9891)
    assert mm.grand.text(percent=True) == "72.7%"


def test_coverage_page_and_xlsx(big, office_client):
    response = office_client.get("/indicators/coverage/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "67.7%" in html and ">548<" in html and ">371<" in html
    assert (
        "100.0%" in html
        and "94.9%" in html
        and "9.9%" in html
        and "72.7%" in html
        and "9,891" in html
    )
    xlsx = office_client.get("/indicators/coverage/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(xlsx.content))
    fibre = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    assert ["小学", 548, 371, "67.7%"] in fibre
    assert fibre[-1][0] == "合计"
    mm = [list(r) for r in wb.worksheets[1].iter_rows(values_only=True)]
    assert mm[-1] == ["合计", 9891, 7188, "72.7%"]


def test_coverage_by_zone_has_codes_as_text(big, office_client):
    response = office_client.get("/indicators/coverage/?rows=zone&format=xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    assert ws.cell(row=1, column=1).value == "代码"
    assert ws.cell(row=2, column=1).value == "A1"
    assert ws.cell(row=2, column=1).data_type == "s"
