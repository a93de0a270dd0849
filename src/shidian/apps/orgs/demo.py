"""A generated, fictional county for the demo: 西岭省 > 青禾市 > 蒲阳县, five zones, ~500 units.

Nothing is copied from a real county. The mix follows the prefecture figures in PRODUCT.md:
fibre in every senior high school, ~95% of junior high, ~68% of primary schools and ~10% of
teaching points; ~73% of classrooms with multimedia. Everything derives from ``seed``, so the
same seed gives the same county (names, numbers and coordinates).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from shidian.apps.orgs.bulk import bulk_insert_tree
from shidian.apps.orgs.models import Level, Locality, OrgUnit, SchoolType

PROVINCE = ("990000", "西岭省")
CITY = ("990100", "青禾市")
COUNTY = ("990121", "蒲阳县")
CENTRE = (29.95, 104.35)  # a fictional centre; only used to place the schools on a map
# zone name, town names, (lat, lon) offset from the centre; 城关 is the county town (urban).
ZONES = [
    ("城关片区", ["城关镇"], (0.0, 0.0)),
    ("东岭片区", ["东岭镇", "石桥镇", "白马乡", "青溪镇", "松林乡"], (0.02, 0.17)),
    ("西河片区", ["西河镇", "柳湾镇", "龙泉乡", "双河镇"], (-0.03, -0.16)),
    ("南山片区", ["南山镇", "竹园镇", "鹤鸣乡", "桃源镇", "黄泥乡"], (-0.15, 0.03)),
    ("北坪片区", ["北坪镇", "高峰乡", "新店镇", "长滩乡", "金鸡镇", "杉木乡"], (0.14, -0.02)),
]
VILLAGE_FIRST = "大小上下新老东西南北前后中高杨李王张陈刘黄石桥河山林水竹松柏梅桃杏柳枫"
VILLAGE_SECOND = "坪坝湾沟岭岗塘湖坡庄寨场口嘴堡溪岩垭冲田铺"
FIBRE_SHARE = {
    SchoolType.SENIOR_HIGH: 1.0,
    SchoolType.VOCATIONAL: 1.0,
    SchoolType.SPECIAL: 1.0,
    SchoolType.JUNIOR_HIGH: 0.95,
    SchoolType.NINE_YEAR: 0.95,
    SchoolType.PRIMARY: 0.68,
    SchoolType.TEACHING_POINT: 0.10,
    SchoolType.KINDERGARTEN: 0.70,
}
MULTIMEDIA_SHARE = {
    SchoolType.SENIOR_HIGH: 0.95,
    SchoolType.VOCATIONAL: 0.9,
    SchoolType.SPECIAL: 0.8,
    SchoolType.JUNIOR_HIGH: 0.88,
    SchoolType.NINE_YEAR: 0.82,
    SchoolType.PRIMARY: 0.77,
    SchoolType.TEACHING_POINT: 0.4,
    SchoolType.KINDERGARTEN: 0.6,
}
# school type -> (students low, high, pupils per class, pupils per teacher)
SIZES = {
    SchoolType.SENIOR_HIGH: (1800, 3200, 50, 12),
    SchoolType.VOCATIONAL: (1100, 2000, 45, 14),
    SchoolType.SPECIAL: (80, 160, 10, 4),
    SchoolType.JUNIOR_HIGH: (450, 1800, 45, 12),
    SchoolType.NINE_YEAR: (600, 1300, 40, 13),
    SchoolType.PRIMARY: (60, 2400, 40, 16),
    SchoolType.TEACHING_POINT: (8, 60, 15, 12),
    SchoolType.KINDERGARTEN: (150, 480, 30, 10),
}


@dataclass
class DemoTree:
    """The demo county and the units the demo accounts attach to."""

    province: OrgUnit
    city: OrgUnit
    county: OrgUnit
    zones: list[OrgUnit]
    zone: OrgUnit  # a rural zone (东岭片区), for the zone account
    school: OrgUnit  # 东岭镇中心小学, for the school coordinator
    community_lead: OrgUnit  # 蒲阳县城关第一小学, for the community lead
    created: bool  # False when the county already existed (nothing was written)

    @property
    def units(self) -> int:
        return OrgUnit.objects.subtree(self.county).count()


class _Builder:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.nodes: list[dict[str, Any]] = []
        self.number = 0
        self.village_names: set[str] = set()

    def code(self) -> str:
        self.number += 1
        return f"{COUNTY[0]}{self.number:04d}"

    def village(self) -> str:
        while True:
            name = self.rng.choice(VILLAGE_FIRST) + self.rng.choice(VILLAGE_SECOND) + "村"
            if name not in self.village_names:
                self.village_names.add(name)
                return name

    def school(
        self,
        name: str,
        school_type: str,
        parent: str,
        zone: str,
        locality: str,
        place: tuple[float, float],
        address: str,
        *,
        big: bool = False,
        jitter: float = 0.02,
    ) -> str:
        low, high, per_class, per_teacher = SIZES[school_type]
        if school_type == SchoolType.PRIMARY:
            low, high = (1400, 2400) if big else (500, 1100) if locality == "town" else (60, 260)
        if school_type == SchoolType.JUNIOR_HIGH and big:
            low = 1200
        students = self.rng.randint(low, high)
        classes = max(1, round(students / (per_class * self.rng.uniform(0.85, 1.1))))
        if school_type == SchoolType.PRIMARY:
            classes = max(classes, 6 if students > 120 else 3)
        classrooms = classes + self.rng.randint(0, max(1, classes // 6))
        code = self.code()
        self.nodes.append(
            {
                "code": code,
                "name": name,
                "level": Level.SCHOOL,
                "parent": parent,
                "zone": zone,
                "school_type": school_type,
                "locality": locality,
                "address": address,
                "latitude": round(place[0] + self.rng.uniform(-jitter, jitter), 6),
                "longitude": round(place[1] + self.rng.uniform(-jitter, jitter), 6),
                "students": students,
                "teachers": max(1, round(students / per_teacher * self.rng.uniform(0.9, 1.15))),
                "classes": classes,
                "classrooms": classrooms,
            }
        )
        return code

    def facilities(self) -> None:
        """Fibre for exactly the PRODUCT.md share of each type; multimedia per classroom."""
        by_type: dict[str, list[dict[str, Any]]] = {}
        for node in self.nodes:
            if node["level"] == Level.SCHOOL:
                by_type.setdefault(node["school_type"], []).append(node)
        for school_type, schools in sorted(by_type.items()):
            order = list(range(len(schools)))
            self.rng.shuffle(order)
            with_fibre = set(order[: round(FIBRE_SHARE[school_type] * len(schools))])
            for index, node in enumerate(schools):
                node["has_fibre"] = index in with_fibre
                share = min(1.0, MULTIMEDIA_SHARE[school_type] * self.rng.uniform(0.85, 1.15))
                node["multimedia_classrooms"] = round(node["classrooms"] * share)


def _build(seed: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    b = _Builder(seed)
    county = COUNTY[1]
    picks: dict[str, str] = {}
    for z_index, (zone_name, towns, offset) in enumerate(ZONES, start=1):
        zone_code = f"{COUNTY[0]}Z{z_index}"
        zone_place = (CENTRE[0] + offset[0], CENTRE[1] + offset[1])
        b.nodes.append(
            {
                "code": zone_code,
                "name": f"{county}{zone_name}",
                "level": Level.ZONE,
                "parent": None,
                "latitude": round(zone_place[0], 6),
                "longitude": round(zone_place[1], 6),
            }
        )
        if z_index == 1:
            _county_town(b, zone_code, zone_place, picks)
            continue
        if z_index == 2:
            picks["zone"] = zone_code
        for t_index, town in enumerate(towns):
            place = (
                zone_place[0] + b.rng.uniform(-0.06, 0.06),
                zone_place[1] + b.rng.uniform(-0.06, 0.06),
            )
            _town(b, town, zone_code, place, picks, first=(z_index == 2 and t_index == 0))
    b.facilities()
    return b.nodes, picks


def _county_town(b: _Builder, zone: str, place: tuple[float, float], picks: dict[str, str]):
    county = COUNTY[1]
    urban = Locality.URBAN
    address = f"{county}城关镇"
    b.school(f"{county}蒲阳中学", SchoolType.SENIOR_HIGH, zone, zone, urban, place, address)
    b.school(f"{county}第二中学", SchoolType.SENIOR_HIGH, zone, zone, urban, place, address)
    b.school(f"{county}职业高级中学", SchoolType.VOCATIONAL, zone, zone, urban, place, address)
    b.school(f"{county}特殊教育学校", SchoolType.SPECIAL, zone, zone, urban, place, address)
    for ordinal in "一二三":
        b.school(
            f"{county}城关第{ordinal}初级中学",
            SchoolType.JUNIOR_HIGH,
            zone,
            zone,
            urban,
            place,
            address,
            big=True,
        )
    b.school(f"{county}实验学校", SchoolType.NINE_YEAR, zone, zone, urban, place, address)
    for ordinal in "一二三四五六":
        code = b.school(
            f"{county}城关第{ordinal}小学",
            SchoolType.PRIMARY,
            zone,
            zone,
            urban,
            place,
            address,
            big=True,
        )
        picks.setdefault("community_lead", code)
    for ordinal in "一二三":
        b.school(
            f"{county}城关第{ordinal}幼儿园",
            SchoolType.KINDERGARTEN,
            zone,
            zone,
            urban,
            place,
            address,
        )


def _town(b: _Builder, town: str, zone: str, place, picks: dict[str, str], *, first: bool):
    county = COUNTY[1]
    address = f"{county}{town}"
    central = b.school(
        f"{county}{town}中心小学", SchoolType.PRIMARY, zone, zone, "town", place, address
    )
    if first:
        picks["school"] = central
    secondary = SchoolType.NINE_YEAR if b.rng.random() < 0.25 else SchoolType.JUNIOR_HIGH
    suffix = "九年制学校" if secondary == SchoolType.NINE_YEAR else "中学"
    b.school(f"{county}{town}{suffix}", secondary, zone, zone, "town", place, address)
    b.school(
        f"{county}{town}中心幼儿园", SchoolType.KINDERGARTEN, zone, zone, "town", place, address
    )
    # Village schools report to the town's central primary school (中心校).
    for _ in range(b.rng.randint(7, 12)):
        village = b.village()
        b.school(
            f"{county}{town}{village}小学",
            SchoolType.PRIMARY,
            central,
            zone,
            Locality.RURAL,
            place,
            f"{address}{village}",
            jitter=0.05,
        )
    for _ in range(b.rng.randint(7, 12)):
        village = b.village()
        b.school(
            f"{county}{town}{village}教学点",
            SchoolType.TEACHING_POINT,
            central,
            zone,
            Locality.RURAL,
            place,
            f"{address}{village}",
            jitter=0.05,
        )


def _get_or_create(code: str, name: str, level: str, parent: OrgUnit | None) -> OrgUnit:
    from shidian.apps.orgs.services import unit_create

    unit = OrgUnit.objects.filter(code=code).first()
    return unit or unit_create(code=code, name=name, level=level, parent=parent)


@transaction.atomic
def generate_demo_county(*, seed: int = 2021) -> DemoTree:
    """Create the demo county (idempotent: when its code exists, nothing is written)."""
    created = not OrgUnit.objects.filter(code=COUNTY[0]).exists()
    if created:
        province = _get_or_create(*PROVINCE, Level.PROVINCE, None)
        city = _get_or_create(*CITY, Level.CITY, province)
        county = _get_or_create(*COUNTY, Level.COUNTY, city)
        nodes, picks = _build(seed)
        bulk_insert_tree(nodes, root=county)
    else:
        _nodes, picks = _build(seed)
    units = OrgUnit.objects.in_bulk(
        [PROVINCE[0], CITY[0], COUNTY[0], *picks.values()], field_name="code"
    )
    county = units[COUNTY[0]]
    return DemoTree(
        province=units[PROVINCE[0]],
        city=units[CITY[0]],
        county=county,
        zones=list(OrgUnit.objects.filter(parent=county, level=Level.ZONE).order_by("path")),
        zone=units[picks["zone"]],
        school=units[picks["school"]],
        community_lead=units[picks["community_lead"]],
        created=created,
    )
