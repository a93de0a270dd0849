"""field_pivot: exact numbers by school type, period, county and zone; NA is not zero."""

from __future__ import annotations

import pytest

from tests.indicators.factories import NA, monthly_form, put_values
from tests.tracking_world import pilot_world


@pytest.fixture
def data(tree):
    from shidian.apps.orgs.models import Level, Locality, SchoolType
    from shidian.apps.orgs.services import unit_create

    world = pilot_world(tree)
    direct = unit_create(
        code="A-D",
        name="甲县直属小学",
        level=Level.SCHOOL,
        parent=tree.county,
        school_type=SchoolType.PRIMARY,
        locality=Locality.URBAN,
    )
    form, f, periods = monthly_form(world.programme, months=3)
    u = {x.code: x for x in world.pilots + world.controls}
    p1, p2, _p3 = periods
    put_values(
        p1,
        {
            u["A1-1"]: {f["rooms"]: 10, f["fibre"]: 1, f["rate"]: 50},
            u["A1-2"]: {f["rooms"]: 0, f["fibre"]: 0, f["rate"]: 20},
            u["A1-3"]: {f["rooms"]: NA, f["fibre"]: NA, f["rate"]: 0},
            u["A1-4"]: {f["rooms"]: 5, f["fibre"]: 1},
            direct: {f["rooms"]: 3},
            tree.other_school: {f["rooms"]: 7, f["fibre"]: 0},
        },
    )
    put_values(p2, {u["A1-1"]: {f["rooms"]: 12}, u["A1-2"]: {f["rooms"]: 4}})
    return tree, world, form, f, periods, direct


def test_sum_by_school_type_and_period(data):
    from shidian.apps.reports.aggregates import field_pivot

    tree, _w, _form, f, periods, _d = data
    pv = field_pivot(
        f["rooms"], periods=periods, rows="school_type", columns="period", within=tree.county
    )
    p1, p2 = str(periods[0].pk), str(periods[1].pk)
    assert pv.rows == ["junior_high", "primary"]  # SchoolType order
    assert pv.columns == [p1, p2]  # the empty third period has no column
    assert pv.row_labels == {"junior_high": "初中", "primary": "小学"}
    assert pv.column_labels == {p1: "2026年3月", p2: "2026年4月"}
    assert pv.cells[("primary", p1)].value == 13  # 10 + 3; A1-3's NA is not a zero
    assert pv.cells[("primary", p1)].count == 2
    assert pv.cells[("junior_high", p1)].value == 5  # 0 + 5: zero counts
    assert pv.cells[("junior_high", p1)].count == 2
    assert pv.totals["primary"].value == 25 and pv.totals["primary"].count == 3
    assert pv.totals["junior_high"].value == 9


def test_mean_count_and_na(data):
    from shidian.apps.reports.aggregates import field_pivot

    tree, _w, _form, f, periods, _d = data
    p1 = str(periods[0].pk)
    mean = field_pivot(
        f["rooms"],
        periods=periods[:1],
        rows="school_type",
        columns="period",
        measure="mean",
        within=tree.county,
    )
    assert mean.cells[("primary", p1)].value == pytest.approx(6.5)
    assert mean.cells[("junior_high", p1)].value == pytest.approx(2.5)
    count = field_pivot(
        f["rooms"], periods=periods, rows="school_type", measure="count", within=tree.county
    )
    assert count.columns == [""]
    assert count.cells[("primary", "")].value == 3  # 2 in March (NA excluded) + 1 in April
    # A zero is a value: the rate field's 0 counts, a missing answer does not.
    rate = field_pivot(
        f["rate"], periods=periods, rows="locality", measure="count", within=tree.county
    )
    assert rate.totals["rural"].value == 2 and rate.totals["urban"].value == 1


def test_share_yes_by_county(data):
    from shidian.apps.reports.aggregates import field_pivot, grand_total

    tree, _w, _form, f, periods, _d = data
    pv = field_pivot(
        f["fibre"], periods=periods, rows="county", measure="share_yes", within=tree.city
    )
    a, b = str(tree.county.pk), str(tree.other_county.pk)
    assert pv.rows == [a, b]
    assert pv.row_labels == {a: "甲县", b: "乙县"}
    cell = pv.cells[(a, "")]
    assert (cell.numerator, cell.denominator) == (2, 3)  # A1-3's NA excluded
    assert cell.value == pytest.approx(2 / 3)
    assert pv.cells[(b, "")].value == 0
    total = grand_total(pv, "share_yes")
    assert (total.numerator, total.denominator) == (2, 4)
    assert (
        field_pivot(f["fibre"], periods=periods, rows="county", measure="yes").totals[a].value == 2
    )


def test_zone_rows_and_units_without_a_zone(data):
    from shidian.apps.reports.aggregates import field_pivot

    tree, _w, _form, f, periods, _d = data
    pv = field_pivot(
        f["rooms"], periods=periods[:1], rows="zone", columns="school_type", within=tree.county
    )
    z = str(tree.zone.pk)
    assert pv.rows == [z, ""]
    assert pv.row_labels[z] == "甲县东片区"
    assert pv.row_labels[""] == "未归属片区"
    assert pv.cells[(z, "primary")].value == 10
    assert pv.cells[(z, "junior_high")].value == 5
    assert pv.cells[("", "primary")].value == 3
    assert pv.totals[z].value == 15
    inside = field_pivot(f["rooms"], periods=periods, rows="period", within=tree.zone)
    assert [inside.cells[(k, "")].value for k in inside.rows] == [15, 16]


def test_bad_arguments(data):
    from shidian.apps.reports.aggregates import field_pivot

    _t, _w, _form, f, periods, _d = data
    with pytest.raises(ValueError):
        field_pivot(f["rooms"], periods=periods, rows="school")
    with pytest.raises(ValueError):
        field_pivot(f["rooms"], periods=periods, rows="period", columns="period")
    with pytest.raises(ValueError):
        field_pivot(f["rooms"], periods=periods, rows="period", measure="median")


def test_one_query_for_the_values(data, django_assert_max_num_queries):
    from shidian.apps.reports.aggregates import field_pivot

    tree, _w, _form, f, periods, _d = data
    # depths of counties and zones (2), the grouped values (1), the units behind prefixes (2)
    with django_assert_max_num_queries(5):
        field_pivot(
            f["rooms"], periods=periods, rows="county", columns="zone", within=tree.province
        )
