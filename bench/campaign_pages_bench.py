"""Campaign dashboard pages for 7,167 units, and a national aggregate in the database.

    python bench/campaign_pages_bench.py [--database-url URL] [--runs 20]
    python bench/campaign_pages_bench.py --database-url postgres://... --national 500000

Run ``bench/campaign_ingest_bench.py`` first with the same --workdir/--database-url: it builds
the county, the 100-item standard, the campaign and fills every sheet through the upload path.
This script spreads the sheets over every status, then times the office's pages with Django's
test client (warm: one untimed request first), reporting the median and p95 of --runs requests.

--national N (PostgreSQL): generates N units and N scored sheets (100 items each) with SQL and
times the weakest-items aggregate (the same query the analysis page runs: the per-sheet scores
JSON expanded with jsonb_each_text and averaged per item) and per-type dimension averages.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from campaign_ingest_bench import (  # noqa: E402
    CAMPAIGN_NAME,
    COUNTY_CODE,
    bench_standard,
    setup_django,
)


def spread_statuses(campaign) -> None:
    from shidian.apps.campaigns.models import Sheet

    ids = list(campaign.sheets.order_by("pk").values_list("pk", flat=True))
    plan = {0: "not_opened", 1: "draft", 2: "returned", 3: "accepted", 4: "accepted"}
    for remainder, status in plan.items():
        Sheet.objects.filter(pk__in=[i for i in ids if i % 10 == remainder]).update(status=status)
    Sheet.objects.filter(pk__in=[i for i in ids if i % 10 >= 5]).update(status="submitted")


def time_pages(campaign, runs: int) -> list[tuple[str, float, float]]:
    from django.test import Client

    from shidian.apps.accounts.models import User

    office, _ = User.objects.get_or_create(
        username="bench-office", defaults={"unit": campaign.unit, "role": "office"}
    )
    client = Client()
    client.force_login(office)
    base = f"/campaigns/{campaign.pk}"
    pages = [
        ("overview", f"{base}/"),
        ("completeness (submitted)", f"{base}/completeness/?status=submitted"),
        ("completeness (not opened)", f"{base}/completeness/?status=not_opened"),
        ("ranking page 1", f"{base}/ranking/"),
        ("ranking page 40", f"{base}/ranking/?page=40"),
        ("analysis (charts, weakest items)", f"{base}/analysis/"),
        ("export ranking XLSX (all units)", f"{base}/export/?table=ranking"),
    ]
    results = []
    for name, url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        n = runs if "export" not in name else max(3, runs // 5)
        times = []
        for _ in range(n):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        results.append((name, statistics.median(times), times[max(int(0.95 * n) - 1, 0)]))
    return results


def national(n_units: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from shidian.apps.campaigns.models import Campaign, Sheet
    from shidian.apps.campaigns.selectors import item_averages
    from shidian.apps.orgs.models import OrgUnit

    assert connection.vendor == "postgresql", "--national needs PostgreSQL"
    county = OrgUnit.objects.get(code=COUNTY_CODE)
    source = Campaign.objects.get(unit=county, name=CAMPAIGN_NAME)
    campaign = Campaign.objects.filter(name="national bench").first()
    if campaign is None:
        campaign = Campaign.objects.create(
            unit=county.parent,
            name="national bench",
            version=source.version,
            opens_on=timezone.localdate(),
            deadline=timezone.now(),
            invite_root=county.parent,
        )
    standard = bench_standard(100)
    items = [(it.code, it.max_score) for it in standard.items()]
    have = campaign.sheets.count()
    if have < n_units:
        root = (
            OrgUnit.objects.create(
                code="NATION", name="全国基准", level="province", path="90000", depth=1
            )
            if not OrgUnit.objects.filter(code="NATION").exists()
            else OrgUnit.objects.get(code="NATION")
        )
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute(
                """
                INSERT INTO orgs_orgunit (code, name, parent_id, level, path, depth, school_type,
                    locality, address, is_active, created_at, updated_at)
                SELECT 'N' || g, '学校' || g, %s, 'school',
                    %s || lpad((1 + g / 5000)::text, 5, '0') || lpad((1 + g %% 5000)::text, 5, '0'),
                    3, (ARRAY['primary','junior_high','senior_high','teaching_point'])[1 + g %% 4],
                    '', '', true, now(), now()
                FROM generate_series(0, %s - 1) g
                ON CONFLICT (code) DO NOTHING
                """,
                [root.pk, root.path, n_units],
            )
            codes = "ARRAY[" + ",".join(f"'{c}'" for c, _ in items) + "]"
            maxima = "ARRAY[" + ",".join(f"{m:g}" for _, m in items) + "]::float8[]"
            cursor.execute(
                f"""
                INSERT INTO campaigns_sheet (campaign_id, unit_id, status, version, answers,
                    scores, dimension_scores, total, vetoed, answered, comments, return_note,
                    updated_at)
                SELECT %s, u.id, 'submitted', 1, '{{}}'::jsonb, s.scores, '{{}}'::jsonb, s.total,
                    false, 100, '{{}}'::jsonb, '', now()
                FROM orgs_orgunit u
                CROSS JOIN LATERAL (
                    SELECT jsonb_object_agg(c, v) AS scores, sum(v) AS total FROM (
                        SELECT c, round((random() * m)::numeric, 1)::float8 + 0 * u.id AS v
                        FROM unnest({codes}, {maxima}) AS t(c, m)
                    ) x
                ) s
                WHERE u.code LIKE 'N%%' AND u.level = 'school'
                ON CONFLICT DO NOTHING
                """,
                [campaign.pk],
            )
            cursor.execute("ANALYZE campaigns_sheet")
        print(f"generated {n_units} units and sheets in {time.perf_counter() - started:.0f} s")
    sheets = Sheet.objects.filter(round=campaign)
    print(f"national campaign: {sheets.count()} sheets x {len(items)} items")
    for attempt in ("cold", "warm"):
        started = time.perf_counter()
        averages = item_averages(sheets=sheets)
        print(
            f"item averages over all sheets ({attempt}): {time.perf_counter() - started:.1f} s,"
            f" {len(averages)} items"
        )
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "SELECT u.school_type, count(*), avg(s.total) FROM campaigns_sheet s "
            "JOIN orgs_orgunit u ON u.id = s.unit_id WHERE s.campaign_id = %s "
            "GROUP BY u.school_type",
            [campaign.pk],
        )
        rows = cursor.fetchall()
        print(f"totals per school type: {time.perf_counter() - started:.2f} s ({len(rows)} groups)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", default="/tmp/shidian-campaign-bench")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--national", type=int, default=0)
    args = parser.parse_args()
    import os

    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("STATIC_MANIFEST", "0")  # no collectstatic needed for the test client
    setup_django(Path(args.workdir), args.database_url)
    from django.db import connection

    from shidian.apps.campaigns.models import Campaign

    if args.national:
        national(args.national)
        return
    campaign = Campaign.objects.get(unit__code=COUNTY_CODE, name=CAMPAIGN_NAME)
    spread_statuses(campaign)
    with connection.cursor() as cursor:
        # Fresh statistics after the bulk load, as autovacuum (PostgreSQL) or the periodic
        # optimize (SQLite) would have; without them PostgreSQL may pick a nested loop.
        cursor.execute("ANALYZE")
    count = campaign.sheets.count()
    print(f"{count} sheets, database {connection.vendor}, {args.runs} runs per page (warm)")
    for name, median, p95 in time_pages(campaign, args.runs):
        print(f"  {name:36s} median {median:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
