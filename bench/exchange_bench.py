"""Bulk exchange: import report values for 2,000 units x 100 fields (200,000 CSV rows).

    python bench/exchange_bench.py [--database-url URL] [--workdir DIR] [--units 2000]
                                   [--fields 100]

Builds a fresh database in ``--workdir`` (SQLite by default): a county with ``--units``
schools, a programme, one published monthly form with ``--fields`` number fields, one period
with its Round and one not-yet-opened Submission per school, and a county office account.
Then times, as that office, through ``exchange_import`` (the same call as the API and page):
the dry run, the real import (every value new: one submission_save per school, with its
revision and audit), and the same file again (all ignored, nothing written).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def setup(workdir: Path, database_url: str | None) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shidian.config.settings"
    os.environ["SHIDIAN_DATA_DIR"] = str(workdir)
    os.environ["SECRET_KEY"] = "shidian-exchange-bench-not-secret"
    os.environ["TASK_BACKEND"] = "immediate"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'exchange.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if database_url:  # a database of its own, emptied for a fresh build
        call_command("flush", interactive=False, verbosity=0)


def build(n_units: int, n_fields: int):
    from django.db import transaction
    from django.utils import timezone

    from shidian.apps.accounts.models import User
    from shidian.apps.orgs.bulk import bulk_insert_tree
    from shidian.apps.orgs.models import Level
    from shidian.apps.orgs.services import unit_create
    from shidian.apps.programmes.services import CycleInput, programme_create
    from shidian.apps.reports.models import ReportField, ReportForm, ReportPeriod
    from shidian.apps.submissions.models import Round, Submission

    with transaction.atomic():
        county = unit_create(code="XB", name="交换基准县", level=Level.COUNTY)
        nodes = [{"code": "XB-Z", "name": "片区", "level": Level.ZONE, "parent": None}]
        nodes += [
            {
                "code": f"XBS{n:05d}",
                "name": f"交换学校{n:05d}",
                "level": Level.SCHOOL,
                "parent": "XB-Z",
                "zone": "XB-Z",
            }
            for n in range(n_units)
        ]
        ids = bulk_insert_tree(nodes, root=county)
        programme = programme_create(
            by=None,
            unit=county,
            name="交换基准项目",
            start_year=2026,
            end_year=2028,
            scope_root=county,
            cycles=[CycleInput(2026, n_units)],
        )
        form = ReportForm.objects.create(
            programme=programme,
            name="月报",
            period_type="monthly",
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
            status="published",
        )
        ReportField.objects.bulk_create(
            ReportField(form=form, code=f"f{i:03d}", label=f"字段{i}", type="number", order=i)
            for i in range(n_fields)
        )
        period = ReportPeriod.objects.create(
            form=form,
            key="2026-03",
            label="2026年3月",
            starts_on=dt.date(2026, 3, 1),
            ends_on=dt.date(2026, 3, 31),
            due_on=dt.date(2026, 4, 5),
            closes_on=dt.date(2026, 4, 7),
        )
        period.round = Round.objects.create(
            kind="periodic_report",
            unit=county,
            name="月报 2026-03",
            opens_on=period.starts_on,
            deadline=timezone.now() + dt.timedelta(days=30),
            accept_late=True,
            invite_root=county,
            programme=programme,
        )
        period.save(update_fields=["round"])
        Submission.objects.bulk_create(
            Submission(round=period.round, unit_id=ids[f"XBS{n:05d}"], status="not_opened")
            for n in range(n_units)
        )
        office = User.objects.create_user(
            username="xb-office", password="x", unit=county, role="office", full_name="办公室"
        )
    return office, form


def csv_file(form, n_units: int, n_fields: int) -> bytes:
    from shidian.apps.exchange.formats import write_csv

    rng = random.Random(7)
    rows = (
        {
            "unit": f"XBS{n:05d}",
            "form": form.pk,
            "period": "2026-03",
            "field": f"f{i:03d}",
            "value": rng.randint(0, 500),
        }
        for n in range(n_units)
        for i in range(n_fields)
    )
    return write_csv(("unit", "form", "period", "field", "value"), rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--workdir")
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--fields", type=int, default=100)
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="exchange-bench-"))
    if not args.workdir and not args.database_url:
        shutil.rmtree(workdir, ignore_errors=True)
    setup(workdir, args.database_url)
    from django.db import connection

    from shidian.apps.exchange.services.imports import DATASETS, exchange_import

    started = time.perf_counter()
    office, form = build(args.units, args.fields)
    data = csv_file(form, args.units, args.fields)
    print(
        f"{connection.vendor}: {args.units} units x {args.fields} fields, "
        f"{len(data) / 1e6:.1f} MB CSV, built in {time.perf_counter() - started:.1f} s"
    )
    dataset = DATASETS["report-values"]
    for label, dry in (("dry run", True), ("import", False), ("again (all ignored)", False)):
        t0, c0 = time.perf_counter(), time.process_time()
        summary = exchange_import(
            user=office,
            dataset=dataset,
            data=data,
            fmt="csv",
            strategy="CREATE_AND_UPDATE",
            dry_run=dry,
        )
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"  {label:22s} {wall:7.1f} s wall {cpu:7.1f} s CPU  {summary['counts']}")
    print(f"  load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
