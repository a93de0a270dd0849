"""Bulk ingest of filled self-assessment workbooks through the web upload's code path.

    python bench/campaign_ingest_bench.py [--units 7167] [--items 100] [--workdir DIR]
        [--database-url postgres://...] [--openpyxl-sample 300]

Builds (once, cached in --workdir) a county of N schools, a 100-item standard, a campaign and
one filled workbook per school written by the same ``build_workbook`` the download serves. Then
in one run: reads every file with ``pandas.read_excel`` (calamine engine; openpyxl engine on a
sample), and ingests every file with ``shidian.apps.campaigns.ingest.ingest_file`` - the path of
``shidian campaign ingest`` and, minus the confirmation step, of the web upload (signature,
unit/campaign/version checks, every answer validated, scores, revision row, one transaction per
file). Prints workbooks/s and the ratios.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from multiprocessing import get_context
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
COUNTY_CODE = "BENCH-COUNTY"
CAMPAIGN_NAME = "bench campaign"


def setup_django(workdir: Path, database_url: str | None) -> None:
    """One work directory for both databases: the workbooks' signatures need the same secret,
    and a fresh database built in the same order gives the same ids on SQLite and PostgreSQL."""
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shidian.config.settings"
    os.environ["SHIDIAN_DATA_DIR"] = str(workdir)
    os.environ["SECRET_KEY"] = "shidian-campaign-bench-not-secret"
    os.environ["TASK_BACKEND"] = "immediate"
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_standard(n_items: int):
    """A generated standard: 10 dimensions x 2 indicators x n/20 items, every method used."""
    from shidian.engine.scoring import (
        Dimension,
        Indicator,
        Item,
        Level,
        Method,
        Standard,
        Threshold,
    )

    per = n_items // 20
    methods = [Method.LEVELS, Method.YES_NO, Method.RATIO, Method.NUMBER, Method.SCORE]
    dims = []
    count = 0
    for d in range(1, 11):
        indicators = []
        for i in range(1, 3):
            items = []
            for k in range(1, per + 1):
                count += 1
                method = Method.VETO if count == n_items else methods[count % len(methods)]
                mx = 0.0 if method == Method.VETO else float(1 + count % 4)
                items.append(
                    Item(
                        code=f"D{d}.{i}.{k}",
                        text=f"评分要点 {count}",
                        max_score=mx,
                        method=method,
                        levels=(Level("A", mx), Level("B", mx * 0.5), Level("C", 0.0))
                        if method == Method.LEVELS
                        else (),
                        thresholds=(
                            Threshold(0.9 if method == Method.RATIO else 90, mx),
                            Threshold(0.5 if method == Method.RATIO else 50, mx / 2),
                        )
                        if method in (Method.RATIO, Method.NUMBER)
                        else (),
                        numerator_label="多媒体教室数" if method == Method.RATIO else "",
                        denominator_label="教室数" if method == Method.RATIO else "",
                    )
                )
            indicators.append(Indicator(f"D{d}.{i}", f"二级指标 {d}.{i}", tuple(items)))
        dims.append(Dimension(f"D{d}", f"一级指标 {d}", tuple(indicators)))
    return Standard("BENCH", "基准测试指标体系", tuple(dims))


def ensure_population(n_units: int):
    from shidian.apps.orgs import paths
    from shidian.apps.orgs.models import Level, OrgUnit, SchoolType
    from shidian.apps.orgs.services import unit_create

    county = OrgUnit.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        province = unit_create(code="BENCH-P", name="基准省", level=Level.PROVINCE)
        county = unit_create(code=COUNTY_CODE, name="基准县", level=Level.COUNTY, parent=province)
    have = OrgUnit.objects.subtree(county).filter(level=Level.SCHOOL).count()
    if have >= n_units:
        return county
    zones = list(OrgUnit.objects.subtree(county).filter(level=Level.ZONE).order_by("path"))
    while len(zones) < 20:
        zones.append(
            unit_create(
                code=f"BZ{len(zones) + 1}",
                name=f"第{len(zones) + 1}片区",
                level=Level.ZONE,
                parent=county,
            )
        )
    types = (
        [SchoolType.PRIMARY] * 6
        + [SchoolType.JUNIOR_HIGH] * 2
        + [SchoolType.TEACHING_POINT, SchoolType.SENIOR_HIGH]
    )
    rng = random.Random(7)
    units = []
    for n in range(have + 1, n_units + 1):
        zone = zones[n % len(zones)]
        path = paths.child_path(zone.path, n // len(zones) + 1 + 0)
        units.append(
            OrgUnit(
                code=f"BS{n:05d}",
                name=f"基准学校{n:05d}",
                level=Level.SCHOOL,
                parent=zone,
                zone=zone,
                path=path,
                depth=paths.depth_of(path),
                school_type=types[rng.randrange(len(types))],
            )
        )
    OrgUnit.objects.bulk_create(units, batch_size=2000)
    return county


def ensure_campaign(county, n_items: int):
    from django.utils import timezone

    from shidian.apps.campaigns.models import Campaign
    from shidian.apps.campaigns.services import campaign_create
    from shidian.apps.standards import services

    campaign = Campaign.objects.filter(unit=county, name=CAMPAIGN_NAME).first()
    if campaign:
        return campaign
    version = services.standard_import(unit=county, user=None, parsed=bench_standard(n_items))
    version = services.version_publish(version=version, user=None)
    return campaign_create(
        unit=county,
        user=None,
        name=CAMPAIGN_NAME,
        version=version,
        opens_on=timezone.localdate(),
        deadline=timezone.now() + timezone.timedelta(days=30),
        accept_late=True,
        notify=False,
    )


def _answers(standard, rng: random.Random) -> dict:
    out = {}
    for item in standard.items():
        if item.method == "levels":
            out[item.code] = {"value": rng.choice("ABC")}
        elif item.method in ("yes_no", "veto"):
            out[item.code] = {"value": "否" if item.method == "veto" else rng.choice("是否")}
        elif item.method == "ratio":
            den = rng.randint(5, 60)
            out[item.code] = {"numerator": rng.randint(0, den), "denominator": den}
        elif item.method == "number":
            out[item.code] = {"value": rng.randint(0, 120)}
        else:
            out[item.code] = {"value": rng.randint(0, int(item.max_score))}
    return out


def _write_chunk(args) -> int:
    chunk, campaign_id, version_id, standard, outdir = args
    from shidian.apps.campaigns.workbook import build_workbook

    for sheet_id, unit_id, code in chunk:
        rng = random.Random(sheet_id)
        fake = SimpleNamespace(
            pk=sheet_id,
            unit_id=unit_id,
            campaign_id=campaign_id,
            campaign=SimpleNamespace(version_id=version_id),
            version=0,
            answers=_answers(standard, rng),
            comments={},
        )
        data = build_workbook(sheet=fake, standard=standard, title=f"{code} 自查表")
        (outdir / f"{code}.xlsx").write_bytes(data)
    return len(chunk)


def ensure_workbooks(campaign, outdir: Path, workers: int = 2) -> list[Path]:
    from django.db import connections

    marker = outdir / f".campaign-{campaign.pk}"
    sheets = list(campaign.sheets.order_by("unit__code").values_list("pk", "unit_id", "unit__code"))
    if marker.exists() and len(list(outdir.glob("*.xlsx"))) == len(sheets):
        return sorted(outdir.glob("*.xlsx"))
    outdir.mkdir(parents=True, exist_ok=True)
    for old in outdir.glob("*.xlsx"):
        old.unlink()
    standard = campaign.version.as_standard()
    chunks = [sheets[i : i + 250] for i in range(0, len(sheets), 250)]
    connections.close_all()
    started = time.perf_counter()
    with get_context("fork").Pool(workers) as pool:
        done = 0
        for n in pool.imap_unordered(
            _write_chunk,
            [(c, campaign.pk, campaign.version_id, standard, outdir) for c in chunks],
        ):
            done += n
            print(f"\r  wrote {done}/{len(sheets)} workbooks", end="", file=sys.stderr)
    print(f"\n  generation took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    marker.write_text("ok")
    return sorted(outdir.glob("*.xlsx"))


def reset_sheets(campaign) -> None:
    from shidian.apps.campaigns.models import SheetRevision

    SheetRevision.objects.filter(submission__round=campaign).delete()
    campaign.sheets.update(
        answers={},
        scores={},
        dimension_scores={},
        total=0,
        vetoed=False,
        answered=0,
        version=0,
        status="not_opened",
        submitted_at=None,
    )


def _cpu() -> float:
    """CPU time of this process and its finished children: the work done, whatever the load."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=7167)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--workdir", default="/tmp/shidian-campaign-bench")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--openpyxl-sample", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2, help="Ingest processes.")
    parser.add_argument("--setup-only", action="store_true", help="Build the data and stop.")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    setup_django(workdir, args.database_url)
    from django.db import connection

    county = ensure_population(args.units)
    campaign = ensure_campaign(county, args.items)
    campaign = (
        type(campaign).objects.select_related("version").defer("version__data").get(pk=campaign.pk)
    )
    files = ensure_workbooks(campaign, workdir / "workbooks")
    files = files[: args.units]
    print(f"{len(files)} workbooks, {args.items} items each, database {connection.vendor}")
    if args.setup_only:
        return

    import pandas as pd

    started, cpu0 = time.perf_counter(), _cpu()
    for path in files:
        pd.read_excel(path, sheet_name="自查表", header=None, engine="calamine")
    pandas_calamine = time.perf_counter() - started
    pandas_cpu = _cpu() - cpu0
    sample = files[: args.openpyxl_sample]
    started = time.perf_counter()
    for path in sample:
        pd.read_excel(path, sheet_name="自查表", header=None, engine="openpyxl")
    pandas_openpyxl_each = (time.perf_counter() - started) / max(len(sample), 1)

    from shidian.apps.campaigns.ingest import ingest_files

    reset_sheets(campaign)
    started, cpu0 = time.perf_counter(), _cpu()
    rows = ingest_files(campaign=campaign, paths=files, workers=args.workers)
    ingest = time.perf_counter() - started
    ingest_cpu = _cpu() - cpu0
    outcomes: dict[str, int] = {}
    for row in rows:
        outcomes[row.outcome] = outcomes.get(row.outcome, 0) + 1
        if row.outcome == "error" and outcomes["error"] <= 3:
            print("  error:", row.file, row.message)
    n = len(files)
    print(
        f"pandas.read_excel (calamine):   {pandas_calamine:7.1f} s  "
        f"{n / pandas_calamine:7.0f} files/s"
    )
    print(
        f"pandas.read_excel (openpyxl):   {pandas_openpyxl_each * n:7.1f} s  "
        f"{1 / pandas_openpyxl_each:7.0f} files/s (extrapolated from {len(sample)} files)"
    )
    print(f"ingest (check + apply):         {ingest:7.1f} s  {n / ingest:7.0f} files/s  {outcomes}")
    print(f"  workers: {args.workers}; {ingest / n * 1000:.1f} ms per file on average")
    print(
        f"CPU seconds (user+sys, all processes): pandas-calamine read {pandas_cpu:.1f} s, "
        f"ingest {ingest_cpu:.1f} s ({ingest_cpu / n * 1000:.1f} ms per file); load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"ratio ingest / pandas-calamine read: {ingest / pandas_calamine:.2f}x; "
        f"ingest / pandas-openpyxl read: {ingest / (pandas_openpyxl_each * n):.2f}x"
    )


if __name__ == "__main__":
    main()
