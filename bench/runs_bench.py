"""The cost of progress updates: 100,000 ``progress(i, n, message)`` calls in one run, written
throttled (RUNS_PROGRESS_INTERVAL, default 1 s: at most one UPDATE a second) and written on
every call (interval 0), plus a bare loop without progress as the floor; then one cancel check
(a cancel requested mid-run stops the kind at its next write).

    SHIDIAN_DATA_DIR=/tmp/runs-bench python bench/runs_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shidian_runs_bench python bench/runs_bench.py
    python bench/runs_bench.py --calls 20000   # a shorter run

The database is migrated first; the bench's own rows are deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shidian.config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from shidian.apps.orgs.models import Level, OrgUnit  # noqa: E402
from shidian.apps.orgs.services import unit_create  # noqa: E402
from shidian.apps.runs.errors import Cancelled  # noqa: E402
from shidian.apps.runs.models import Run, RunStatus  # noqa: E402
from shidian.apps.runs.progress import Progress  # noqa: E402

MESSAGE = "正在处理……"


def _run(unit: OrgUnit) -> Run:
    run = Run.objects.create(kind="bench.progress", unit=unit, status=RunStatus.RUNNING, attempts=1)
    return run


def measure(unit: OrgUnit, calls: int, interval: float | None) -> tuple[float, int]:
    run = _run(unit)
    start = time.perf_counter()
    if interval is None:
        total = 0
        for i in range(calls):
            total += i  # the work a kind would do, without progress
        writes = 0
    else:
        progress = Progress(run, interval=interval)
        for i in range(calls):
            progress(i + 1, calls, MESSAGE)
        progress(calls, calls, force=True)
        writes = progress.writes
    elapsed = time.perf_counter() - start
    if interval is not None:
        assert Run.objects.get(pk=run.pk).progress_done == calls
    return elapsed, writes


def cancel_latency(unit: OrgUnit, interval: float) -> float:
    """Seconds from the cancel request to the kind stopping, calling progress in a tight loop."""
    run = _run(unit)
    progress = Progress(run, interval=interval)
    progress(0, 10**9, MESSAGE)
    Run.objects.filter(pk=run.pk).update(cancel_requested=True)
    start = time.perf_counter()
    calls = 0
    try:
        while True:
            calls += 1
            progress(calls, 10**9, MESSAGE)
    except Cancelled:
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    unit = OrgUnit.objects.filter(code="RUNS-BENCH").first() or unit_create(
        code="RUNS-BENCH", name="基准测试县", level=Level.COUNTY
    )
    print(f"database: {vendor}; {args.calls:,} progress calls per run", flush=True)
    rows = []
    for label, interval in (
        ("no progress calls (floor)", None),
        ("throttled, 1 s (default)", 1.0),
        ("throttled, 0.1 s", 0.1),
        ("every call written", 0.0),
    ):
        elapsed, writes = measure(unit, args.calls, interval)
        per_call = elapsed / args.calls * 1e6
        rows.append((label, elapsed, writes, per_call))
        print(
            f"{label:28s} {elapsed:8.3f} s  {writes:7,d} writes  {per_call:8.2f} µs/call",
            flush=True,
        )
    throttled, every = rows[1][1], rows[3][1]
    print(f"writing every call costs {every / throttled:,.0f}x the throttled default", flush=True)
    for interval in (1.0, 0.1):
        waited = cancel_latency(unit, interval)
        print(f"cancel stops the kind after {waited:.3f} s (interval {interval} s)", flush=True)
    Run.objects.filter(unit=unit).delete()


if __name__ == "__main__":
    main()
