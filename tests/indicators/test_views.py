"""Indicator pages: define (with clear errors, nothing written on bad input), pivot a report
field and an attribute, export, and who sees what."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.conftest import make_user
from tests.indicators.factories import NA, monthly_form, put_values
from tests.indicators.scoping import coordinator_of_county_a
from tests.tracking_world import pilot_world


@pytest.fixture
def world(tree):
    w = pilot_world(tree)
    form, f, periods = monthly_form(w.programme, months=2)
    u = {x.code: x for x in w.pilots + w.controls}
    put_values(
        periods[0],
        {
            u["A1-1"]: {f["rooms"]: 10, f["fibre"]: 1, f["rate"]: 40},
            u["A1-2"]: {f["rooms"]: 0, f["fibre"]: 0, f["rate"]: 20},
            u["A1-3"]: {f["rooms"]: NA, f["fibre"]: 1, f["rate"]: 10},
        },
    )
    put_values(periods[1], {u["A1-1"]: {f["rooms"]: 12, f["fibre"]: 1, f["rate"]: 30}})
    return w, form, f, periods


def _create(client, **data):
    return client.post("/indicators/new/", data)


def test_define_and_pivot_a_report_field(world, client):
    from shidian.apps.core.models import AuditEvent
    from shidian.apps.indicators.models import Indicator

    w, _form, f, periods = world
    client.force_login(w.office)
    response = _create(
        client,
        name="光纤（报表）",
        source="report_field",
        report_field=f["fibre"].pk,
        measure="share_yes",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    indicator = Indicator.objects.get(name="光纤（报表）")  # scoping: ok test
    assert indicator.programme == w.programme
    assert AuditEvent.objects.filter(action="indicators.create").count() == 1  # scoping: ok test
    page = client.get(f"/indicators/{indicator.pk}/?rows=school_type&columns=period")
    html = page.content.decode()
    assert page.status_code == 200
    assert "2026年3月" in html and "2026年4月" in html
    assert "100.0%" in html  # primary in March: A1-1 and A1-3 both yes
    assert 'id="indicator-chart-data"' in html
    one = client.get(f"/indicators/{indicator.pk}/?rows=period&from={periods[1].key}&format=xlsx")
    rows = list(load_workbook(io.BytesIO(one.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("报送期", "合计")
    assert rows[1] == ("2026年4月", 100.0)


def test_ratio_indicator(world, client):
    from shidian.apps.indicators.models import Indicator

    w, _form, f, _periods = world
    client.force_login(w.office)
    response = _create(
        client,
        name="比率",
        source="report_field",
        report_field=f["rate"].pk,
        measure="sum",
        denominator_field=f["rooms"].pk,
    )
    assert response.status_code == 302
    ind = Indicator.objects.get(name="比率")  # scoping: ok test
    xlsx = client.get(f"/indicators/{ind.pk}/?rows=county&format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    # rate sum 40+20+10+30 = 100 over rooms sum 10+0+12 = 22 (A1-3's NA is no zero)
    assert rows[0][:2] == ("代码", "县（区）")
    assert rows[1][0] == "A" and rows[1][2] == 7  # March: 70 / 10
    assert rows[1][-1] == pytest.approx(round(100 / 22, 4))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "source": "attribute", "attribute": "fibre"}, "这个字段是必填项"),
        ({"name": "x", "source": "attribute"}, "请选择基础信息指标"),
        ({"name": "x", "source": "report_field", "measure": "sum"}, "请选择报表字段"),
        (
            {
                "name": "x",
                "source": "report_field",
                "measure": "share_yes",
                "report_field": "rooms",
            },
            "只适用于是/否字段",
        ),
        (
            {
                "name": "x",
                "source": "report_field",
                "measure": "mean",
                "report_field": "rate",
                "denominator_field": "rooms",
            },
            "须为“合计”",
        ),
    ],
)
def test_bad_definitions_change_nothing(world, client, data, message):
    from shidian.apps.indicators.models import Indicator

    w, _form, f, _periods = world
    client.force_login(w.office)
    for key in ("report_field", "denominator_field"):
        if key in data:
            data[key] = f[data[key]].pk
    response = _create(client, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Indicator.objects.exists()  # scoping: ok test


def test_duplicate_name_is_refused(world, client):
    w, *_ = world
    client.force_login(w.office)
    assert _create(client, name="光纤", source="attribute", attribute="fibre").status_code == 302
    again = _create(client, name="光纤", source="attribute", attribute="fibre")
    assert again.status_code == 400 and "同名指标" in again.content.decode()


def test_zone_sees_county_indicators_over_its_subtree(world, client, tree):
    from shidian.apps.indicators.models import Indicator

    ind = Indicator.objects.create(
        unit=tree.county, name="光纤", source="attribute", attribute="fibre"
    )
    zone = make_user("ind-zone", tree.zone, "zone")
    client.force_login(zone)
    assert "光纤" in client.get("/indicators/").content.decode()
    page = client.get(f"/indicators/{ind.pk}/?within={tree.county.pk}")
    assert page.status_code == 200
    assert page.context["within"] == tree.zone  # the county is outside the zone's reach
    assert client.get("/indicators/new/").status_code == 403  # a zone does not define


def test_schools_see_nothing(world, client, tree):
    from shidian.apps.indicators.models import Indicator

    ind = Indicator.objects.create(
        unit=tree.county, name="光纤", source="attribute", attribute="fibre"
    )
    client.force_login(coordinator_of_county_a(tree))
    for url in (
        "/indicators/",
        "/indicators/new/",
        "/indicators/coverage/",
        "/indicators/balance/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/indicators/{ind.pk}/").status_code == 404


def test_other_county_gets_404_and_sees_no_names(world, client, tree):
    from shidian.apps.indicators.models import Indicator

    ind = Indicator.objects.create(
        unit=tree.county, name="甲县光纤", source="attribute", attribute="fibre"
    )
    office_b = make_user("ind-office-b", tree.other_county, "office")
    client.force_login(office_b)
    assert client.get(f"/indicators/{ind.pk}/").status_code == 404
    listing = client.get("/indicators/").content.decode()
    assert "甲县光纤" not in listing
    cov = client.get(f"/indicators/coverage/?rows=zone&within={tree.county.pk}")
    assert "甲县" not in cov.content.decode()
    assert cov.context["within"] == tree.other_county


def test_attribute_pivot_page(world, client, tree):
    from shidian.apps.indicators.models import Indicator

    w, *_ = world
    ind = Indicator.objects.create(
        unit=tree.county, name="光纤", source="attribute", attribute="fibre"
    )
    client.force_login(w.office)
    page = client.get(f"/indicators/{ind.pk}/?rows=school_type&columns=locality")
    assert page.status_code == 200
    table = page.context["table"]
    # pilot_world: A1-4, A1-6, A1-8 have fibre; A1-1/A1-2 unknown
    assert table.grand.numerator == 3 and table.grand.denominator == 8
    assert client.get(f"/indicators/{ind.pk}/?rows=bogus").status_code == 200


def test_home_card_for_the_office_only(world, client, tree):
    w, *_ = world
    client.force_login(w.office)
    assert 'id="indicators-home"' in client.get("/").content.decode()
    client.force_login(coordinator_of_county_a(tree))
    assert 'id="indicators-home"' not in client.get("/").content.decode()
