"""The page and the download: the office sees every figure; outsiders get 404."""

from __future__ import annotations

import io
import math

import pytest

from shidian.apps.evaluation.selectors import PANEL_COLUMNS
from tests.conftest import make_user


def url(world, suffix=""):
    return f"/evaluation/programmes/{world.programme.pk}/{suffix}"


def test_office_sees_estimates_chart_data_sensitivity_and_command(office_client, world):
    response = office_client.get(url(world))
    assert response.status_code == 200
    html = response.content.decode()
    for anchor in (
        'id="estimates-table"',
        'id="batch-table"',
        'id="cohort-table"',
        'id="event-study-data"',
        'id="event-study-chart"',
        'id="breakdown"',
        'id="meaning"',
        "evaluation/event_study.js",
        "vendor/echarts.min.js",
    ):
        assert anchor in html, anchor
    assert "<script>" not in html.replace('<script type="application/json"', "")
    assert "shidian did evaluation-" in html and "--cohort cohort" in html
    assert "--event-study" in html
    assert "NaN" not in html and ">nan<" not in html.lower()  # no NaN reaches the page
    ev = response.context["ev"]
    assert ev.refusal is None and len(ev.estimates) == 4


def test_programme_cockpit_links_to_the_page(office_client, world):
    response = office_client.get(f"/programmes/{world.programme.pk}/")
    assert response.status_code == 200
    assert url(world) in response.content.decode()


def test_get_form_switches_outcome_and_period(office_client, world):
    response = office_client.get(url(world), {"outcome": "dim:D1", "period": "round"})
    assert response.status_code == 200
    table = response.context["table"]
    assert table.outcome.key == "dim:D1" and table.period_mode == "round"
    bad = office_client.get(url(world), {"outcome": "nope", "period": "x"})
    assert bad.status_code == 200 and bad.context["table"].outcome.key == "total"


def test_refusal_is_a_sentence_not_a_traceback(office_client, world):
    response = office_client.get(url(world), {"outcome": "ind:D6.2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="refusal"' in html and "没有可比较的变化" in html
    assert "Traceback" not in html and 'id="event-study-data"' not in html


@pytest.mark.parametrize("suffix", ["", "panel.xlsx"])
def test_outsider_gets_404(client, world, tree, suffix):
    outsider = make_user("ev-outsider", tree.other_county, "office")
    client.force_login(outsider)
    assert client.get(url(world, suffix)).status_code == 404


@pytest.mark.parametrize("suffix", ["", "panel.xlsx"])
def test_anonymous_is_sent_to_login(client, world, suffix):
    response = client.get(url(world, suffix))
    assert response.status_code == 302 and "login" in response["Location"]


def test_city_office_above_the_county_sees_the_page(client, world, tree):
    """The units come through restrict(user, VIEW): an office above sees the whole subtree."""
    city = make_user("ev-city", tree.city, "office")
    client.force_login(city)
    response = client.get(url(world))
    assert response.status_code == 200
    assert response.context["table"].pilots == 6


def test_xlsx_round_trip(office_client, world):
    from openpyxl import load_workbook

    page = office_client.get(url(world), {"outcome": "dim:D2"})
    response = office_client.get(url(world, "panel.xlsx"), {"outcome": "dim:D2"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(data), read_only=True)["panel"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == PANEL_COLUMNS
    frame = page.context["table"].frame
    assert len(rows) - 1 == len(frame)
    for got, want in zip(rows[1:], frame.itertuples(index=False, name=None), strict=True):
        for a, b in zip(got, want, strict=True):
            if b is None or (isinstance(b, float) and math.isnan(b)):
                assert a is None
            elif isinstance(b, float | int) and not isinstance(b, bool):
                assert float(a) == pytest.approx(float(b))
            else:
                assert str(a) == str(b)
