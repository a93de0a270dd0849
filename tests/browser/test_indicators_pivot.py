"""Indicators in a browser: the office opens the coverage page and an indicator's pivot,
switches the rows, the ECharts chart draws (a canvas, no inline script), downloads the XLSX;
and the coverage page fits a phone."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import has_horizontal_scroll, login, screenshot
from tests.indicators.factories import monthly_form, put_values
from tests.tracking_world import pilot_world


def _setup(tree):
    w = pilot_world(tree)
    form, f, periods = monthly_form(w.programme, months=2)
    u = {x.code: x for x in w.pilots}
    put_values(periods[0], {u["A1-1"]: {f["rooms"]: 10}, u["A1-2"]: {f["rooms"]: 4}})
    put_values(periods[1], {u["A1-1"]: {f["rooms"]: 12}})
    from shidian.apps.indicators.models import Indicator

    ind = Indicator.objects.create(
        unit=tree.county,
        name="教室数合计",
        source="report_field",
        report_field=f["rooms"],
        measure="sum",
        programme=w.programme,
    )
    return w, ind


@pytest.mark.django_db(transaction=True)
def test_office_coverage_and_pivot(page, live_server, tree):
    w, ind = _setup(tree)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server, w.office.username)
    page.goto(f"{live_server.url}/indicators/coverage/")
    page.wait_for_selector("#coverage-chart canvas", timeout=15_000)
    assert "光纤接入" in page.inner_text("#fibre")
    screenshot(page, "indicators-coverage")

    page.goto(f"{live_server.url}/indicators/{ind.pk}/")
    page.wait_for_selector("#indicator-chart canvas", timeout=15_000)
    assert "小学" in page.inner_text("#pivot-table")
    page.select_option("#id_rows", "locality")
    page.select_option("#id_columns", "period")
    page.click("#pivot-controls button[type=submit]")
    page.wait_for_selector("#indicator-chart canvas", timeout=15_000)
    table = page.inner_text("#pivot-table")
    assert "城区" in table and "2026年4月" in table
    with page.expect_download() as info:
        page.click("#pivot-xlsx")
    content = Path(info.value.path()).read_bytes()
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "城乡"
    assert not [e for e in errors if "Content Security Policy" in e]
    screenshot(page, "indicators-pivot")


@pytest.mark.django_db(transaction=True)
def test_coverage_on_a_phone(phone_page, live_server, tree):
    w, _ind = _setup(tree)
    login(phone_page, live_server, w.office.username)
    phone_page.goto(f"{live_server.url}/indicators/coverage/?rows=zone")
    phone_page.wait_for_selector("#coverage-chart canvas", timeout=15_000)
    assert not has_horizontal_scroll(phone_page)
    screenshot(phone_page, "indicators-coverage-phone")
