"""One school's deadline request pair, save (the page's 保存 form, 100 answers) and 提交, through
the whole Django stack in one process: CPU milliseconds and database queries per request,
against the bare JSON endpoint (/healthz) in the same run. The surge bench measures the
servers under load; this one tells where a single request's time goes, repeatably.

    python bench/sheet_save_bench.py [--schools 200] [--items 100] [--workdir DIR]
        [--database-url postgres://...] [--profile]

--profile prints the 25 functions with the most cumulative time over all the saves.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from campaign_ingest_bench import (  # noqa: E402
    _answers,
    ensure_campaign,
    ensure_population,
    reset_sheets,
    setup_django,
)

FORM_TYPE = "application/x-www-form-urlencoded"


def form(version: int, answers: dict, methods: dict) -> dict:
    data: dict = {"version": version}
    for code, answer in answers.items():
        if methods[code] == "ratio":
            data[f"n-{code}"] = answer["numerator"]
            data[f"d-{code}"] = answer["denominator"]
        else:
            data[f"a-{code}"] = answer["value"]
    return data


def timed(call) -> tuple[float, list[str], object]:
    """CPU seconds of this process (the database's own time excluded on PostgreSQL, included on
    SQLite, which runs inside it), the queries it made, and the response."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        began = time.process_time()
        response = call()
        spent = time.process_time() - began
    return spent, [q["sql"] for q in queries.captured_queries], response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/shidian-sheet-save"))
    parser.add_argument("--database-url")
    parser.add_argument("--profile", choices=("save", "submit"), help="profile these requests")
    parser.add_argument("--sort", default="cumulative", help="pstats order for --profile")
    parser.add_argument("--callers", help="with --profile: who calls functions matching this")
    parser.add_argument("--queries", action="store_true", help="print the last save's SQL")
    parser.add_argument("--full-sql", action="store_true", help="with --queries: not cut")
    args = parser.parse_args()
    os.environ["ALLOWED_HOSTS"] = "testserver"
    setup_django(args.workdir, args.database_url)
    import logging

    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)  # one line per force_login otherwise
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.test import Client

    from shidian.apps.accounts.models import User
    from shidian.apps.campaigns.models import Sheet, SheetStatus

    county = ensure_population(args.schools)
    campaign = ensure_campaign(county, args.items)
    standard = campaign.version.as_standard()
    methods = {i.code: i.method for i in standard.items()}
    reset_sheets(campaign)  # a second run starts from the same empty sheets
    sheets = list(
        Sheet.objects.filter(round=campaign, status=SheetStatus.NOT_OPENED)
        .select_related("unit")
        .order_by("pk")[: args.schools]
    )
    rng = random.Random(11)
    client = Client()
    bare = []
    for _ in range(200):
        spent, _queries, response = timed(lambda: client.get("/healthz"))
        assert response.status_code == 200, response.status_code
        bare.append(spent)
    saves, submits, save_queries, submit_queries = [], [], [], []
    profiler = cProfile.Profile() if args.profile else None
    for sheet in sheets:
        user, _ = User.objects.get_or_create(
            username=f"s{sheet.unit.code}",
            defaults={"unit": sheet.unit, "role": "coordinator", "full_name": sheet.unit.name},
        )
        client.force_login(user)
        data = form(sheet.version, _answers(standard, rng), methods)
        url = f"/campaigns/sheets/{sheet.pk}/"
        if profiler:
            profiler.enable()
        body = urlencode(data)  # what a browser's form sends, not the test client's multipart
        spent, queries, response = timed(
            lambda url=url, body=body: client.post(url, body, content_type=FORM_TYPE)
        )
        if profiler:
            profiler.disable()
        assert response.status_code == 302, (response.status_code, response.content[:500])
        saves.append(spent)
        save_queries.append(len(queries))
        last_save = queries
        if profiler and args.profile == "submit":
            profiler.enable()
        spent, queries, response = timed(lambda url=url: client.post(f"{url}submit/"))
        if profiler:
            profiler.disable()
        assert response.status_code == 302, response.status_code
        submits.append(spent)
        submit_queries.append(len(queries))
        last_submit = queries
    vendor = django.db.connection.vendor
    bare_ms = statistics.median(bare) * 1000
    save_ms = statistics.median(saves) * 1000
    submit_ms = statistics.median(submits) * 1000
    print(f"database {vendor}; {len(sheets)} schools; {args.items} items; CPU ms of this process")
    print(f"bare /healthz: median {bare_ms:.2f} ms")
    print(
        f"save:   median {save_ms:.1f} ms, {statistics.median(save_queries):.0f} queries"
        f" ({save_ms / bare_ms:.0f}x bare)"
    )
    print(
        f"submit: median {submit_ms:.1f} ms, {statistics.median(submit_queries):.0f} queries"
        f" ({submit_ms / bare_ms:.0f}x bare)"
    )
    if args.queries:
        for title, sqls in (("save", last_save), ("submit", last_submit)):
            print(f"-- the last {title}'s queries")
            for sql in sqls:
                print("  ", sql if args.full_sql else sql[:300])
    if profiler:
        stats = pstats.Stats(profiler).sort_stats(args.sort)
        if args.callers:
            stats.print_callers(args.callers)
        else:
            stats.print_stats(40)


if __name__ == "__main__":
    main()
