"""The generated demo county: size, mix and facilities per PRODUCT.md; deterministic, idempotent."""

from __future__ import annotations

import pytest
from django.db.models import Count, Sum

from shidian.apps.orgs.demo import generate_demo_county
from shidian.apps.orgs.models import Level, OrgUnit

pytestmark = pytest.mark.django_db


def snapshot(county):
    return list(
        OrgUnit.objects.subtree(county).values_list(
            "code", "name", "path", "students", "latitude", "has_fibre"
        )
    )


def test_demo_county_follows_the_prefecture_figures():
    demo = generate_demo_county(seed=2021)
    assert demo.created
    units = OrgUnit.objects.subtree(demo.county)
    assert 400 <= units.count() <= 700
    assert demo.province.name == "西岭省" and demo.county.name == "蒲阳县"
    assert 4 <= len(demo.zones) <= 6
    schools = units.filter(level=Level.SCHOOL)
    share = {
        row["school_type"]: row["fibre"] / row["n"]
        for row in schools.values("school_type").annotate(
            n=Count("id"), fibre=Count("id", filter=models_q(has_fibre=True))
        )
    }
    assert share["senior_high"] == 1.0
    assert 0.9 <= share["junior_high"] <= 1.0
    assert 0.63 <= share["primary"] <= 0.73
    assert 0.05 <= share["teaching_point"] <= 0.15
    totals = schools.aggregate(rooms=Sum("classrooms"), mm=Sum("multimedia_classrooms"))
    assert 0.68 <= totals["mm"] / totals["rooms"] <= 0.78
    localities = set(schools.values_list("locality", flat=True))
    assert {"urban", "town", "rural"} <= localities
    assert not schools.filter(latitude__isnull=True).exists()
    assert not schools.filter(zone__isnull=True).exists()
    # the units the demo accounts attach to
    assert demo.zone.level == Level.ZONE and demo.school.is_within(demo.zone)
    assert demo.school.name == "蒲阳县东岭镇中心小学" and demo.school.children.exists()
    assert demo.community_lead.name == "蒲阳县城关第一小学"


def models_q(**kwargs):
    from django.db.models import Q

    return Q(**kwargs)


def test_demo_is_deterministic_and_idempotent():
    first = generate_demo_county(seed=7)
    before = snapshot(first.county)
    again = generate_demo_county(seed=7)
    assert not again.created and again.school == first.school
    assert snapshot(again.county) == before
    for depth in range(8, first.county.depth - 1, -1):  # children first: parent is PROTECT
        OrgUnit.objects.subtree(first.county).filter(depth=depth).delete()
    regenerated = generate_demo_county(seed=7)
    rows = snapshot(regenerated.county)
    assert [r[:2] + r[3:] for r in rows] == [r[:2] + r[3:] for r in before]
