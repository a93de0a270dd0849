"""The programme cockpit and participants page for a programme of 7,167 schools.

    python bench/programme_pages_bench.py [--database-url URL] [--workdir DIR] [--runs 20]

Builds once per database (reused on the next run): a province > 12 cities > 6 counties >
5 zones > schools tree with 7,167 schools (bulk_insert_tree, as bench/tree_bench.py), a
programme over the province (2021-2023, cycles 5/5/4 scaled to 80/80/80 pilots), the sync that
creates 7,167 ``eligible`` rows (timed), pilots and recommended units moved in bulk, and a
closed self-assessment campaign with 7,167 sheets, 40% not submitted (so "who is late" has
thousands of rows). Then times the office's pages with Django's test client (warm: one
untimed request first), printing the median and p95 of --runs requests.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

N_SCHOOLS = 7167
SHAPE = (12, 6, 5)  # cities, counties per city, zones per county (360 zones)
PROVINCE = "PB-P"
NAME = "全省中小学智慧校园创建（基准）"


def setup(workdir: Path, database_url: str | None) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shidian.config.settings"
    os.environ["SHIDIAN_DATA_DIR"] = str(workdir)
    os.environ["SECRET_KEY"] = "shidian-programme-bench-not-secret"
    os.environ["TASK_BACKEND"] = "immediate"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("STATIC_MANIFEST", "0")  # no collectstatic needed for the test client
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_tree():
    from shidian.apps.orgs.bulk import bulk_insert_tree
    from shidian.apps.orgs.models import Level, OrgUnit, SchoolType
    from shidian.apps.orgs.services import unit_create

    province = OrgUnit.objects.filter(code=PROVINCE).first()
    if province is not None:
        return province
    province = unit_create(code=PROVINCE, name="基准省", level=Level.PROVINCE)
    rng = random.Random(3)
    types = [SchoolType.PRIMARY] * 5 + [SchoolType.JUNIOR_HIGH, SchoolType.TEACHING_POINT] * 2
    cities, counties, zones = SHAPE
    nodes, zone_codes = [], []
    for c in range(cities):
        city = f"PB{c:02d}"
        nodes.append({"code": city, "name": f"市{city}", "level": Level.CITY, "parent": None})
        for k in range(counties):
            county = f"{city}{k:02d}"
            nodes.append(
                {"code": county, "name": f"县{county}", "level": Level.COUNTY, "parent": city}
            )
            for z in range(zones):
                zone = f"{county}{z:02d}"
                zone_codes.append(zone)
                nodes.append(
                    {"code": zone, "name": f"片区{zone}", "level": Level.ZONE, "parent": county}
                )
    for n in range(N_SCHOOLS):
        zone = zone_codes[n % len(zone_codes)]
        nodes.append(
            {
                "code": f"PBS{n:05d}",
                "name": f"基准学校{n:05d}",
                "level": Level.SCHOOL,
                "parent": zone,
                "zone": zone,
                "school_type": types[rng.randrange(len(types))],
            }
        )
    bulk_insert_tree(nodes, root=province)
    return province


def ensure_programme(province):
    from datetime import timedelta

    from campaign_ingest_bench import bench_standard
    from django.utils import timezone

    from shidian.apps.campaigns.models import Campaign, Sheet
    from shidian.apps.campaigns.services import campaign_create
    from shidian.apps.programmes.models import Participation, Programme
    from shidian.apps.programmes.services import (
        CycleInput,
        participation_move_bulk,
        participation_sync,
        programme_create,
    )
    from shidian.apps.standards import services as standard_services

    programme = Programme.objects.filter(unit=province, name=NAME).first()
    if programme is not None:
        return programme, None
    programme = programme_create(
        by=None,
        unit=province,
        name=NAME,
        start_year=2021,
        end_year=2023,
        scope_root=province,
        cycles=[CycleInput(2021, 80), CycleInput(2022, 80), CycleInput(2023, 80)],
    )
    # programme_create already synced; time a second sync from nothing as the figure.
    Participation.objects.filter(programme=programme).delete()
    started = time.perf_counter()
    created = participation_sync(programme=programme)
    sync_ms = (time.perf_counter() - started) * 1000
    rows = list(Participation.objects.filter(programme=programme).order_by("unit__path"))
    recommended = rows[::20]
    participation_move_bulk(
        by=None, programme=programme, participations=recommended, to="recommended"
    )
    shortlisted = recommended[::2]
    participation_move_bulk(
        by=None, programme=programme, participations=shortlisted, to="shortlisted"
    )
    for number in (1, 2):
        participation_move_bulk(
            by=None,
            programme=programme,
            participations=shortlisted[(number - 1) * 80 : number * 80],
            to="pilot",
            batch=programme.cycles.get(number=number),
        )
    version = standard_services.standard_import(unit=province, user=None, parsed=bench_standard(10))
    version = standard_services.version_publish(version=version, user=None)
    campaign = campaign_create(
        unit=province,
        user=None,
        name="基准自查（已截止）",
        version=version,
        opens_on=timezone.localdate() - timedelta(days=20),
        deadline=timezone.now() + timedelta(days=1),
        notify=False,
        phase=programme.phases.order_by("order").first(),
    )
    Campaign.objects.filter(pk=campaign.pk).update(deadline=timezone.now() - timedelta(days=1))
    ids = list(Sheet.objects.filter(campaign=campaign).values_list("pk", flat=True))
    Sheet.objects.filter(pk__in=[i for i in ids if i % 5 >= 2]).update(status="submitted")
    return programme, (created, sync_ms)


def time_pages(programme, runs: int) -> list[tuple[str, float, float]]:
    from django.test import Client

    from shidian.apps.accounts.models import User
    from shidian.apps.programmes.models import Participation

    office, _ = User.objects.get_or_create(
        username="bench-office", defaults={"unit": programme.unit, "role": "office"}
    )
    client = Client()
    client.force_login(office)
    pilot = Participation.objects.filter(programme=programme, state="pilot").first()
    base = f"/programmes/{programme.pk}"
    pages = [
        ("cockpit", f"{base}/"),
        ("participants page 1", f"{base}/participants/"),
        ("participants page 100", f"{base}/participants/?page=100"),
        ("participants: pilots of batch 1", f"{base}/participants/?state=pilot&batch=1"),
        ("participants: search", f"{base}/participants/?q=01234"),
        ("one unit's history", f"{base}/participants/{pilot.pk}/"),
        ("office home (programme card)", "/"),
    ]
    results = []
    for name, url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        results.append((name, statistics.median(times), times[max(int(0.95 * runs) - 1, 0)]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workdir", default="/tmp/shidian-programme-bench")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    setup(Path(args.workdir), args.database_url)
    from django.db import connection

    started = time.perf_counter()
    province = ensure_tree()
    programme, sync = ensure_programme(province)
    with connection.cursor() as cursor:
        # Fresh statistics after the bulk load, as autovacuum or SQLite's optimize would have.
        cursor.execute("ANALYZE")
    print(f"database: {connection.vendor}; set-up {time.perf_counter() - started:.1f} s")
    if sync is not None:
        print(f"participation_sync: {sync[0]} eligible rows in {sync[1]:.0f} ms")
    for name, median, p95 in time_pages(programme, args.runs):
        print(f"{name:<36} median {median:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
