"""Periodic reports at provincial scale: 7,167 pilot schools x 52 weekly periods x 30 number
fields (about 11 million ReportValue rows).

    python bench/reports_bench.py [--database-url URL] [--workdir DIR]
                                  [--units 7167] [--periods 52] [--fields 30] [--runs 5]

Builds once per database (reused on the next run with the same shape): a province > 12 cities
> 6 counties > 5 zones > schools tree (bulk_insert_tree), one programme whose schools are all
batch-1 pilots since 2025-12-01 (Participation and ParticipationEvent rows inserted in bulk),
one published weekly form with ``--fields`` number fields and ``--periods`` weeks of 2026, each
with its Round; per period one Submission per school: 90% submitted on time, 5% late, 5%
never (their submit Revision carries the time), and one ReportValue per field of every report
that arrived. Rows go in with COPY on PostgreSQL and executemany in one transaction on SQLite.
The submissions' ``answers`` JSON is left empty: the timed queries read the indexed tables.

Then prints the median of ``--runs`` timings (after one warm-up call) of:
- ``completeness.period_table(period)`` of one period (week 26);
- ``aggregates.field_pivot(field, periods=<the year>, rows="zone", columns="school_type",
  measure="mean")`` if that branch has it ("pivot: not on this branch" otherwise).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

SHAPE = (12, 6, 5)
PROVINCE = "RB-P"


def setup(workdir: Path, database_url: str | None) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shidian.config.settings"
    os.environ["SHIDIAN_DATA_DIR"] = str(workdir)
    os.environ["SECRET_KEY"] = "shidian-reports-bench-not-secret"
    os.environ["TASK_BACKEND"] = "immediate"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'reports.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def say(msg: str, started: float) -> None:
    print(f"  [{time.perf_counter() - started:7.1f}s] {msg}", flush=True)


def build_tree(n_units: int):
    from shidian.apps.orgs.bulk import bulk_insert_tree
    from shidian.apps.orgs.models import Level, SchoolType
    from shidian.apps.orgs.services import unit_create

    province = unit_create(code=PROVINCE, name="报表基准省", level=Level.PROVINCE)
    rng = random.Random(5)
    types = [SchoolType.PRIMARY] * 5 + [SchoolType.JUNIOR_HIGH, SchoolType.TEACHING_POINT] * 2
    cities, counties, zones = SHAPE
    nodes, zone_codes = [], []
    for c in range(cities):
        city = f"RB{c:02d}"
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
    for n in range(n_units):
        zone = zone_codes[n % len(zone_codes)]
        nodes.append(
            {
                "code": f"RBS{n:05d}",
                "name": f"报表学校{n:05d}",
                "level": Level.SCHOOL,
                "parent": zone,
                "zone": zone,
                "school_type": types[rng.randrange(len(types))],
            }
        )
    ids = bulk_insert_tree(nodes, root=province)
    return province, [ids[f"RBS{n:05d}"] for n in range(n_units)]


def copy_rows(table: str, columns: list[str], rows, *, batch: int = 200_000) -> None:
    """COPY on PostgreSQL, executemany elsewhere; ``rows`` is an iterable of tuples."""
    from django.db import connection

    cols = ", ".join(columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            # The rows are consistent by construction: skip the per-row deferred foreign-key
            # triggers (tens of millions at commit otherwise). Needs a superuser.
            cur.execute("SET session_replication_role = replica")
            raw = cur.cursor
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cur.execute("SET session_replication_role = DEFAULT")
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
    chunk: list = []
    with connection.cursor() as cur:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                cur.executemany(sql, chunk)
                chunk = []
        if chunk:
            cur.executemany(sql, chunk)


def build(n_units: int, n_periods: int, n_fields: int, started: float):
    from django.db import connection, transaction
    from django.utils import timezone

    from shidian.apps.programmes.models import Participation, ParticipationEvent
    from shidian.apps.programmes.services import CycleInput, programme_create
    from shidian.apps.reports.models import ReportField, ReportForm, ReportPeriod, ReportValue
    from shidian.apps.submissions.models import Revision, Round, Submission

    with transaction.atomic():
        province, unit_ids = build_tree(n_units)
        say(f"tree: {len(unit_ids)} schools", started)
        programme = programme_create(
            by=None,
            unit=province,
            name="报表基准项目",
            start_year=2026,
            end_year=2028,
            scope_root=province,
            cycles=[CycleInput(2026, n_units)],
        )
        cycle = programme.cycles.get(number=1)
        joined = timezone.make_aware(dt.datetime(2025, 12, 1, 9))
        # programme_create made the eligible rows; everyone becomes a batch-1 pilot at once.
        Participation.objects.filter(programme=programme).update(state="pilot", batch=cycle)
        parts = Participation.objects.filter(programme=programme).values_list("pk", flat=True)
        ParticipationEvent.objects.bulk_create(
            [
                ParticipationEvent(
                    participation_id=p,
                    from_state="shortlisted",
                    to_state="pilot",
                    to_batch=1,
                    at=joined,
                )
                for p in parts
            ],
            batch_size=5000,
        )
        ParticipationEvent.objects.filter(participation__programme=programme).update(at=joined)
        say("participations", started)
        form = ReportForm.objects.create(
            programme=programme,
            name="周调度表（基准）",
            period_type="weekly",
            due_days=2,
            grace_days=1,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
            status="published",
            prefill=False,
        )
        fields = ReportField.objects.bulk_create(
            [
                ReportField(
                    form=form, code=f"f{i:02d}", label=f"指标{i:02d}", type="number", order=i
                )
                for i in range(n_fields)
            ]
        )
        fields = list(ReportField.objects.filter(form=form).order_by("order"))
        periods = []
        monday = dt.date(2025, 12, 29)  # ISO week 2026-W01
        for w in range(n_periods):
            start = monday + dt.timedelta(weeks=w)
            end = start + dt.timedelta(days=6)
            due = end + dt.timedelta(days=2)
            closes = due + dt.timedelta(days=1)
            deadline = timezone.make_aware(dt.datetime.combine(closes, dt.time(23, 59, 59)))
            rnd = Round.objects.create(
                kind="periodic_report",
                unit=province,
                name=f"周调度 W{w + 1:02d}",
                opens_on=start,
                deadline=deadline,
                accept_late=True,
                invite_root=province,
                programme=programme,
            )
            periods.append(
                ReportPeriod.objects.create(
                    form=form,
                    key=f"2026-W{w + 1:02d}",
                    label=f"2026年第{w + 1}周",
                    starts_on=start,
                    ends_on=end,
                    due_on=due,
                    closes_on=closes,
                    round=rnd,
                )
            )
        say(f"{len(periods)} periods with rounds", started)
    rng = random.Random(11)
    # Per (period, unit): 0 on time, 1 late, 2 never.
    fate = {
        (p.pk, u): (0 if r < 0.90 else 1 if r < 0.95 else 2)
        for p in periods
        for u in unit_ids
        for r in [rng.random()]
    }
    sub_table = Submission._meta.db_table

    def arrived(p, f):  # the moment a report arrived: on time (0) or late (1)
        day, hour = (p.due_on, 17) if f == 0 else (p.closes_on + dt.timedelta(days=3), 9)
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    with transaction.atomic():
        now = timezone.now()
        copy_rows(
            sub_table,
            [
                "campaign_id",
                "unit_id",
                "status",
                "version",
                "answers",
                "scores",
                "dimension_scores",
                "total",
                "vetoed",
                "answered",
                "comments",
                "return_note",
                "submitted_at",
                "updated_at",
            ],
            (
                (
                    p.round_id,
                    u,
                    "not_opened" if fate[p.pk, u] == 2 else "submitted",
                    2,
                    "{}",
                    "{}",
                    "{}",
                    0.0,
                    False,
                    0 if fate[p.pk, u] == 2 else n_fields,
                    "{}",
                    "",
                    None if fate[p.pk, u] == 2 else arrived(p, fate[p.pk, u]),
                    now,
                )
                for p in periods
                for u in unit_ids
            ),
        )
        say(f"{len(periods) * len(unit_ids)} submissions", started)
        subs = {}
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT id, campaign_id, unit_id FROM {sub_table} WHERE campaign_id IN "
                f"({', '.join(str(p.round_id) for p in periods)})"
            )
            for sid, rid, uid in cur.fetchall():
                subs[rid, uid] = sid
        rev_rows = []
        for p in periods:
            for u in unit_ids:
                f = fate[p.pk, u]
                if f != 2:
                    rev_rows.append(
                        (
                            subs[p.round_id, u],
                            2,
                            "submit",
                            "submitted",
                            "{}",
                            0.0,
                            arrived(p, f),
                        )
                    )
        copy_rows(
            Revision._meta.db_table,
            ["sheet_id", "number", "kind", "status", "answers", "total", "created_at"],
            rev_rows,
        )
        say(f"{len(rev_rows)} submit revisions", started)

        def values():
            for p in periods:
                for u in unit_ids:
                    if fate[p.pk, u] == 2:
                        continue
                    sid = subs[p.round_id, u]
                    for fld in fields:
                        yield (p.pk, fld.pk, u, sid, float(rng.randrange(0, 200)), "", False)

        copy_rows(
            ReportValue._meta.db_table,
            ["period_id", "field_id", "unit_id", "submission_id", "number", "text", "na"],
            values(),
        )
        say(f"{ReportValue.objects.count()} report values", started)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return form


def settle(connection) -> None:
    """On PostgreSQL, VACUUM ANALYZE the values table (cheap when nothing changed): a pivot
    reads the covering index alone only where the visibility map says the pages are all
    visible, which autovacuum ensures in production but not right after a bulk COPY or a
    migration rebuilt the index."""
    if connection.vendor != "postgresql":
        return
    from shidian.apps.reports.models import ReportValue

    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {ReportValue._meta.db_table}")


def timed(fn, runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--workdir", default="/tmp/shidian-reports-bench")
    parser.add_argument("--units", type=int, default=7167)
    parser.add_argument("--periods", type=int, default=52)
    parser.add_argument("--fields", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup(Path(args.workdir), args.database_url)
    from django.db import connection

    from shidian.apps.reports.models import ReportForm, ReportValue

    started = time.perf_counter()
    name = "周调度表（基准）"
    form = ReportForm.objects.filter(name=name).first()
    shape_ok = (
        form is not None
        and form.periods.count() == args.periods
        and form.fields.count() == args.fields
    )
    if form is not None and not shape_ok:
        sys.exit("the database holds a bench of another shape: use another --workdir/database")
    if form is None:
        print(f"building {args.units} x {args.periods} x {args.fields} on {connection.vendor}")
        form = build(args.units, args.periods, args.fields, started)
        print(f"built in {time.perf_counter() - started:.0f}s")
    settle(connection)
    from shidian.apps.reports.completeness import period_table

    periods = list(form.periods.order_by("starts_on"))
    period = periods[min(25, len(periods) - 1)]
    n_values = ReportValue.objects.count()
    print(
        f"{connection.vendor}: {args.units} units, {len(periods)} periods, "
        f"{form.fields.count()} fields, {n_values:,} values"
    )
    table = period_table(period)
    print(f"period_table({period.key}): {len(table.rows)} rows {table.counts}")
    print(
        f"  median of {args.runs}: {timed(lambda: period_table(period), args.runs) * 1000:.0f} ms"
    )
    from shidian.apps.reports import aggregates

    field = form.fields.order_by("order").first()
    try:
        aggregates.field_pivot(
            field, periods=periods, rows="zone", columns="school_type", measure="mean"
        )
    except NotImplementedError:
        print("pivot: not on this branch")
    else:
        t = timed(
            lambda: aggregates.field_pivot(
                field, periods=periods, rows="zone", columns="school_type", measure="mean"
            ),
            args.runs,
        )
        print(
            f"field_pivot(zone x school_type, mean, {len(periods)} periods): "
            f"median {t * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
