"""Shared fixtures: a small tree and the three personas (owner, colleague, outsider).

province 省 > city 市 > county A (office) > zone A1 > school A1-1 (coordinator), A1-2
                      > county B > school B-1 (outsider)
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

PASSWORD = "Sd-test-pass-2026"


@dataclass
class Tree:
    province: object
    city: object
    county: object
    zone: object
    school: object
    school2: object
    other_county: object
    other_school: object


@pytest.fixture
def tree(db) -> Tree:
    from shidian.apps.orgs.models import Level, Locality, SchoolType
    from shidian.apps.orgs.services import unit_create

    province = unit_create(code="P1", name="测试省", level=Level.PROVINCE)
    city = unit_create(code="C1", name="测试市", level=Level.CITY, parent=province)
    county = unit_create(code="A", name="甲县", level=Level.COUNTY, parent=city)
    zone = unit_create(code="A1", name="甲县东片区", level=Level.ZONE, parent=county)
    school = unit_create(
        code="A1-1",
        name="甲县第一小学",
        level=Level.SCHOOL,
        parent=zone,
        school_type=SchoolType.PRIMARY,
        locality=Locality.URBAN,
        zone=zone,
        students=800,
    )
    school2 = unit_create(
        code="A1-2",
        name="甲县第二初中",
        level=Level.SCHOOL,
        parent=zone,
        school_type=SchoolType.JUNIOR_HIGH,
        locality=Locality.RURAL,
        zone=zone,
        students=500,
    )
    other_county = unit_create(code="B", name="乙县", level=Level.COUNTY, parent=city)
    other_school = unit_create(
        code="B-1",
        name="乙县外部小学",
        level=Level.SCHOOL,
        parent=other_county,
        school_type=SchoolType.PRIMARY,
        locality=Locality.RURAL,
    )
    return Tree(province, city, county, zone, school, school2, other_county, other_school)


def make_user(username: str, unit, role: str, **extra):
    from shidian.apps.accounts.models import User

    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        unit=unit,
        role=role,
        full_name=extra.pop("full_name", username),
        email=f"{username}@example.org",
        **extra,
    )


@pytest.fixture
def office_user(tree):
    return make_user("office", tree.county, "office", full_name="办公室王老师")


@pytest.fixture
def zone_user(tree):
    return make_user("zone", tree.zone, "zone")


@pytest.fixture
def coordinator(tree):
    return make_user("coord", tree.school, "coordinator", full_name="联络人李老师")


@pytest.fixture
def outsider(tree):
    """A coordinator of a school in another county: must never see county A's data."""
    return make_user("outsider", tree.other_school, "coordinator")


@pytest.fixture
def office_client(client, office_user):
    client.force_login(office_user)
    return client


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client
