"""Balance between schools: CV per level for each county, thresholds, the schools pulling it up."""

from __future__ import annotations

import pytest

from tests.indicators.factories import monthly_form, put_values
from tests.tracking_world import pilot_world


@pytest.fixture
def county(tree):
    from shidian.apps.orgs.models import OrgUnit

    w = pilot_world(tree)
    # Multimedia classrooms per 100 students: primary A1-1, A1-3, A1-5, A1-6, A1-8.
    setup = {
        "A1-1": (800, 8),  # 1.0
        "A1-3": (450, 5),  # 1.11
        "A1-5": (550, 6),  # 1.09
        "A1-6": (600, 6),  # 1.0
        "A1-8": (700, 70),  # 10.0: the outlier
        "A1-2": (500, 5),  # junior 1.0
        "A1-4": (500, 6),  # junior 1.2
        "A1-7": (650, 7),  # junior 1.08
    }
    for code, (students, mm) in setup.items():
        OrgUnit.objects.filter(code=code).update(  # scoping: ok test
            students=students, multimedia_classrooms=mm
        )
    return w


def test_cv_per_level_and_the_outlier(county, client, tree):
    from shidian.apps.indicators.balance import county_balance
    from shidian.engine.balance import coefficient_of_variation

    (result,) = county_balance(
        user=county.office, within=tree.county, measure="attr:multimedia_per_100"
    )
    assert result.county == tree.county
    primary, junior = result.levels
    values = [1.0, 5 / 450 * 100, 6 / 550 * 100, 1.0, 10.0]
    weights = [800, 450, 550, 600, 700]
    assert primary.n == 5 and primary.weighted
    assert primary.cv == pytest.approx(coefficient_of_variation(values, weights))
    assert primary.passes is False  # ~1.27 > 0.50
    assert primary.pulls[0].unit.code == "A1-8"
    assert junior.passes is True and junior.threshold == 0.45

    client.force_login(county.office)
    page = client.get("/indicators/balance/?measure=attr:multimedia_per_100")
    html = page.content.decode()
    assert page.status_code == 200
    assert "未达标" in html and "达标" in html and "甲县第8学校" in html
    looser = client.get("/indicators/balance/?measure=attr:multimedia_per_100&t_primary=2")
    assert looser.context["counties"][0].levels[0].passes is True
    bad = client.get("/indicators/balance/?measure=attr:multimedia_per_100&t_primary=abc")
    assert bad.status_code == 400 and "0 到 5" in bad.content.decode()


def test_report_field_latest_value(county, client, tree):
    from shidian.apps.indicators.balance import county_balance

    form, f, periods = monthly_form(county.programme, months=2)
    u = {x.code: x for x in county.pilots + county.controls}
    put_values(periods[0], {u["A1-1"]: {f["rooms"]: 100}, u["A1-3"]: {f["rooms"]: 10}})
    put_values(periods[1], {u["A1-1"]: {f["rooms"]: 10}})  # A1-1's latest is 10
    (result,) = county_balance(
        user=county.office, within=tree.county, measure=f"field:{f['rooms'].pk}"
    )
    primary = result.levels[0]
    assert primary.n == 2 and primary.cv == 0
    assert result.missing == 3 + 3  # primary 3 and junior 3 without a value
    client.force_login(county.office)
    page = client.get(f"/indicators/balance/?measure=field:{f['rooms'].pk}")
    assert page.status_code == 200
