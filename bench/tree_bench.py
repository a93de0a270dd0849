"""The organisation tree at national scale: ~500,000 units, "all schools under a province" and
"counts by school type under a county", median time and the query plan.

    SHIDIAN_DATA_DIR=/tmp/orgs-bench python bench/tree_bench.py            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shidian_bench python bench/tree_bench.py

The tree is generated once per database (31 provinces > 12 cities > 8 counties > 5 zones > 33
schools = 509,299 units, bulk_create in batches) and reused on the next run.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shidian.config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from shidian.apps.orgs.bulk import bulk_insert_tree  # noqa: E402
from shidian.apps.orgs.models import Level, OrgUnit, SchoolType  # noqa: E402
from shidian.apps.orgs.selectors import counts_by_school_type  # noqa: E402
from shidian.apps.orgs.services import unit_create  # noqa: E402

SHAPE = (31, 12, 8, 5, 33)
TYPES = [
    (SchoolType.SENIOR_HIGH, 2),
    (SchoolType.JUNIOR_HIGH, 11),
    (SchoolType.NINE_YEAR, 4),
    (SchoolType.PRIMARY, 44),
    (SchoolType.TEACHING_POINT, 35),
    (SchoolType.KINDERGARTEN, 4),
]
REPEAT = 7


def generate() -> None:
    rng = random.Random(1)
    kinds, weights = zip(*TYPES, strict=True)
    provinces, cities, counties, zones, schools = SHAPE
    started = time.perf_counter()
    for p in range(provinces):
        province = unit_create(code=f"N{p:02d}", name=f"省{p:02d}", level=Level.PROVINCE)
        nodes = []
        for c in range(cities):
            city = f"N{p:02d}{c:02d}"
            nodes.append({"code": city, "name": f"市{city}", "level": Level.CITY})
            for k in range(counties):
                county = f"{city}{k:02d}"
                nodes.append(
                    {"code": county, "name": f"县{county}", "level": Level.COUNTY, "parent": city}
                )
                for z in range(zones):
                    zone = f"{county}{z}"
                    nodes.append(
                        {"code": zone, "name": f"片区{zone}", "level": Level.ZONE, "parent": county}
                    )
                    for s in range(schools):
                        nodes.append(
                            {
                                "code": f"{zone}{s:02d}",
                                "name": f"学校{zone}{s:02d}",
                                "level": Level.SCHOOL,
                                "parent": zone,
                                "school_type": rng.choices(kinds, weights)[0],
                                "locality": rng.choice(["urban", "town", "rural"]),
                                "students": rng.randint(10, 3000),
                            }
                        )
        # Nodes are parents-first already; bulk_insert_tree groups them by depth.
        nodes.sort(key=lambda n: len(n["code"]))
        bulk_insert_tree(nodes, root=province, batch_size=5000)
        print(f"  province {p + 1}/{provinces}: {time.perf_counter() - started:.0f} s", flush=True)
    print(f"generated {OrgUnit.objects.count():,} units in {time.perf_counter() - started:.0f} s")


def median_ms(fn) -> float:
    fn()  # warm the cache: we measure the query, not the first disk read
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    call_command("migrate", verbosity=0)
    if OrgUnit.objects.count() < 500_000:
        generate()
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE orgs_orgunit"
        )
    province = OrgUnit.objects.get(code="N15")
    county = OrgUnit.objects.get(code="N150604")
    schools = OrgUnit.objects.subtree(province).filter(level=Level.SCHOOL)
    print(f"database: {connection.vendor}; units: {OrgUnit.objects.count():,}")
    print(f"schools under {province.code}: {schools.count():,}")
    rows = [
        ("all schools under a province: count", median_ms(lambda: schools.count())),
        (
            "all schools under a province: ids",
            median_ms(lambda: list(schools.values_list("id", flat=True))),
        ),
        (
            "counts by school type under a county",
            median_ms(lambda: counts_by_school_type(unit=county)),
        ),
        (
            "counts by school type under a province",
            median_ms(lambda: counts_by_school_type(unit=province)),
        ),
    ]
    for label, ms in rows:
        print(f"{label:45s} median {ms:8.2f} ms  ({REPEAT} runs)")
    print("\nplan: all schools under a province (ids)")
    print(schools.values_list("id", flat=True).explain())
    print("\nplan: counts by school type under a county")
    grouped = (
        OrgUnit.objects.subtree(county)
        .filter(level=Level.SCHOOL)
        .values("school_type")
        .annotate(n=django.db.models.Count("id"))
        .order_by()
    )
    print(grouped.explain())


if __name__ == "__main__":
    main()
