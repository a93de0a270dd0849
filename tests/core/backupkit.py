"""Helpers the backup tests run in their own process, against a data dir the environment names.

    python -m tests.core.backupkit populate   migrate, write rows and files; print the digest
    python -m tests.core.backupkit digest     every table (rows, content hash), every file
    python -m tests.core.backupkit concurrent OUT   back up while a thread keeps saving rows
    python -m tests.core.backupkit restore [--force] A B...   restore each in turn: the error
                                              (or null) and the digest after each

The tests do not use pytest-django's database: a backup needs a real file (SQLite) or a
database another process can read (pg_dump), with committed rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from typing import Any

BATCH = 5  # rows per transaction in the concurrent writer


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shidian.config.settings")
    import django

    django.setup()


def _value(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def digest() -> dict[str, Any]:
    """Row count and a content hash of every table; size and SHA-256 of every stored file."""
    from django.core.files.storage import default_storage
    from django.db import connection

    from shidian.apps.core.backup.media import walk

    tables: dict[str, list[Any]] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(tuple(_value(v) for v in row)) for row in cursor.fetchall())
            content = hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()
            tables[table] = [len(rows), content]
    files = {}
    for name in walk(default_storage):
        with default_storage.open(name, "rb") as handle:
            files[name] = hashlib.sha256(handle.read()).hexdigest()
    return {"tables": tables, "files": files}


def populate() -> None:
    """A demo county, a run with files (one in Chinese), audit events with JSON."""
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    from shidian.apps.core.models import AuditEvent
    from shidian.apps.orgs.demo import generate_demo_county
    from shidian.apps.runs.models import Run
    from shidian.apps.runs.services import run_attach_file

    county = generate_demo_county(seed=2021).county
    run = Run.objects.create(kind="orgs.export", unit=county, params={"名称": "导出", "n": 3})
    run_attach_file(run=run, name="单位名单.xlsx", data=b"PK\x03\x04 xlsx" * 100, content_type="x")
    run_attach_file(run=run, name="notes.txt", data="备份测试\n".encode(), content_type="text")
    for i in range(20):
        AuditEvent.objects.create(action="bk.test", unit=county, summary=f"第{i}条", data={"i": i})


def concurrent(out: str) -> dict[str, int]:
    """Back up to ``out`` while a thread saves batches of BATCH rows, one batch a transaction."""
    from django.core.management import call_command
    from django.db import close_old_connections, transaction

    from shidian.apps.core.backup import backup_create
    from shidian.apps.core.models import AuditEvent

    call_command("migrate", "--no-input", verbosity=0)
    first_commit, stop = threading.Event(), threading.Event()
    done = [0]

    def writer() -> None:
        while not stop.is_set():
            with transaction.atomic():
                AuditEvent.objects.bulk_create(
                    AuditEvent(action="bk.batch", target_id=str(done[0]), summary=str(n))
                    for n in range(BATCH)
                )
            done[0] += 1
            first_commit.set()
        close_old_connections()

    thread = threading.Thread(target=writer)
    thread.start()
    first_commit.wait(60)
    before = done[0]
    backup_create(out=__import__("pathlib").Path(out))
    after = done[0]
    while done[0] < after + 2 and thread.is_alive():  # batches after the backup, surely
        stop.wait(0.01)
    stop.set()
    thread.join()
    return {"before": before, "after": after, "total": done[0]}


def restore_each(archives: list[str], *, force: bool) -> list[dict[str, Any]]:
    from pathlib import Path

    from shidian.apps.core.backup import BackupError, backup_restore

    results = []
    for path in archives:
        try:
            backup_restore(source=Path(path), force=force)
            error = None
        except BackupError as exc:
            error = exc.message
        results.append({"error": error, "digest": digest()})
    return results


def batches() -> dict[str, int]:
    """Rows per batch of the concurrent writer, as stored."""
    from django.db.models import Count

    from shidian.apps.core.models import AuditEvent

    rows = AuditEvent.objects.filter(action="bk.batch").values("target_id").annotate(n=Count("id"))
    return {row["target_id"]: row["n"] for row in rows}


if __name__ == "__main__":
    setup()
    command = sys.argv[1]
    if command == "populate":
        populate()
        print(json.dumps(digest()))
    elif command == "digest":
        print(json.dumps(digest()))
    elif command == "concurrent":
        print(json.dumps(concurrent(sys.argv[2])))
    elif command == "restore":
        force = "--force" in sys.argv
        paths = [a for a in sys.argv[2:] if a != "--force"]
        print(json.dumps(restore_each(paths, force=force)))
    elif command == "batches":
        print(json.dumps(batches()))
    else:
        raise SystemExit(f"unknown command {command}")
