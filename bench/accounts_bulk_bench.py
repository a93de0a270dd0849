"""Bulk creation of 7,167 school accounts with activation codes, and the XLSX, on both databases.

    python bench/accounts_bulk_bench.py                      # SQLite, then PostgreSQL
    python bench/accounts_bulk_bench.py --only sqlite        # one of them
    python bench/accounts_bulk_bench.py --postgres postgres://postgres@127.0.0.1:5432/NAME

Each database gets (once) a province > 9 counties > 5 zones > schools tree with --schools
schools (7,167 by default: the provincial programme of PRODUCT.md), built with
``orgs.bulk.bulk_insert_tree`` like bench/tree_bench.py. Every run deletes the previous run's
accounts, then times, as the office's POST does: ``accounts_bulk_create`` (bulk_create of users
with unusable passwords, HMAC-hashed codes, the batch, the audit event) + ``code_workbook`` (the
XLSX). Then a second, idempotent run (creates nothing). The baseline is what the obvious code
would do: ``User.objects.create_user(password=...)`` per account with the shipped PBKDF2
hasher, timed on --sample accounts and extrapolated.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROOT_CODE = "ACCT-BENCH"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/shidian_onboarding"


def setup(database_url: str, workdir: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shidian.config.settings"  # PBKDF2 as shipped
    os.environ["SHIDIAN_DATA_DIR"] = str(workdir)
    os.environ["SECRET_KEY"] = "shidian-accounts-bench-not-secret"
    os.environ["TASK_BACKEND"] = "immediate"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_tree(n_schools: int):
    from shidian.apps.orgs.bulk import bulk_insert_tree
    from shidian.apps.orgs.models import Level, OrgUnit
    from shidian.apps.orgs.services import unit_create

    root = OrgUnit.objects.filter(code=ROOT_CODE).first()
    if root is not None:
        have = OrgUnit.objects.subtree(root).filter(level=Level.SCHOOL).count()
        if have == n_schools:
            return root
        raise SystemExit(f"{ROOT_CODE} has {have} schools; use a fresh database for {n_schools}")
    root = unit_create(code=ROOT_CODE, name="基准省", level=Level.PROVINCE)
    nodes, counties, zones = [], 9, 5
    for k in range(counties):
        county = f"AB{k}"
        nodes.append({"code": county, "name": f"基准{k}县", "level": Level.COUNTY})
        for z in range(zones):
            nodes.append(
                {
                    "code": f"{county}Z{z}",
                    "name": f"第{z + 1}片区",
                    "level": Level.ZONE,
                    "parent": county,
                }
            )
    for n in range(n_schools):
        zone = f"AB{n % counties}Z{(n // counties) % zones}"
        nodes.append(
            {
                "code": f"36{n:08d}",
                "name": f"第{n % 40 + 1}小学",
                "level": Level.SCHOOL,
                "parent": zone,
                "zone": zone,
                "school_type": "primary",
            }
        )
    started = time.perf_counter()
    bulk_insert_tree(nodes, root=root, batch_size=2000)
    print(f"  built the tree: {len(nodes):,} units in {time.perf_counter() - started:.1f} s")
    return root


def clean(root) -> None:
    from shidian.apps.accounts.models import AccountBatch, User
    from shidian.apps.core.models import AuditEvent

    User.objects.within(root).filter(role="coordinator").delete()
    AccountBatch.objects.filter(unit=root).delete()
    AuditEvent.objects.filter(action="accounts.bulk_create").delete()


def office(root):
    from shidian.apps.accounts.models import User

    user, _ = User.objects.get_or_create(
        username="acct-bench-office", defaults={"unit": root, "role": "office"}
    )
    return user


def baseline_per_account(root, sample: int) -> float:
    from django.db import transaction

    from shidian.apps.accounts.models import User
    from shidian.apps.orgs.models import Level, OrgUnit

    units = list(OrgUnit.objects.subtree(root).filter(level=Level.SCHOOL)[:sample])
    started = time.perf_counter()
    with transaction.atomic():
        for unit in units:
            User.objects.create_user(
                username=f"base-{unit.code}",
                password="Bench-Pass-2026-x",
                unit=unit,
                role="coordinator",
            )
        per = (time.perf_counter() - started) / len(units)
        transaction.set_rollback(True)
    return per


def time_picker(actor) -> None:
    """The unit picker's search over the same tree (median of 9 warm runs)."""
    import statistics

    from shidian.apps.orgs.selectors import unit_pick

    for label, q in (
        ("name, many hits", "第1小学"),
        ("code prefix", "3600001"),
        ("path: zone + name", "第3片区 第12小学"),
    ):
        unit_pick(user=actor, q=q)
        times = []
        for _ in range(9):
            started = time.perf_counter()
            hits, _more = unit_pick(user=actor, q=q)
            times.append((time.perf_counter() - started) * 1000)
        print(f"  picker search ({label}): {statistics.median(times):6.1f} ms, {len(hits)} hits")


def run(args: argparse.Namespace) -> None:
    setup(args.database_url, Path(args.workdir))
    from django.conf import settings
    from django.db import connection

    from shidian.apps.accounts.codesheet import code_workbook
    from shidian.apps.accounts.onboarding import accounts_bulk_create

    root = ensure_tree(args.schools)
    actor = office(root)
    print(
        f"database: {connection.vendor}; hasher: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}"
    )
    for attempt in range(args.repeat):
        clean(root)
        started = time.perf_counter()
        result = accounts_bulk_create(actor=actor, root=root)
        created = time.perf_counter()
        xlsx = code_workbook(result.rows, login_url="http://127.0.0.1:8000/accounts/activate/")
        done = time.perf_counter()
        print(
            f"  run {attempt + 1}: {result.created:,} accounts + codes {created - started:6.2f} s,"
            f" XLSX ({len(xlsx) / 1024:.0f} KiB) {done - created:5.2f} s,"
            f" total {done - started:6.2f} s"
        )
    started = time.perf_counter()
    again = accounts_bulk_create(actor=actor, root=root)
    print(
        f"  second run (idempotent): created {again.created}, skipped {again.skipped:,}"
        f" in {time.perf_counter() - started:.2f} s"
    )
    time_picker(actor)
    per = baseline_per_account(root, args.sample)
    print(
        f"  baseline create_user + PBKDF2: {per * 1000:.0f} ms/account on {args.sample} accounts"
        f" -> {per * args.schools:,.0f} s ({per * args.schools / 60:.1f} min) for {args.schools:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=7167)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--postgres", default=DEFAULT_PG)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "accounts-bench"))
    args = parser.parse_args()
    if args.database_url:
        run(args)
        return
    targets = {
        "sqlite": f"sqlite:///{Path(args.workdir) / 'bench.sqlite3'}",
        "postgres": args.postgres,
    }
    for name, url in targets.items():
        if args.only and name != args.only:
            continue
        print(f"== {name}", flush=True)
        child = [
            sys.executable,
            __file__,
            "--database-url",
            url,
            "--workdir",
            args.workdir,
            "--schools",
            str(args.schools),
            "--repeat",
            str(args.repeat),
            "--sample",
            str(args.sample),
        ]
        subprocess.run(child, check=True)


if __name__ == "__main__":
    main()
