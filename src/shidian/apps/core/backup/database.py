"""Database snapshots: SQLite through its online backup API, PostgreSQL through pg_dump.

Both give one consistent snapshot while the application keeps writing: the SQLite backup copies
every page in one step inside one read transaction (WAL lets writers go on meanwhile), and
pg_dump reads the whole database in one repeatable-read transaction.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection

from shidian.apps.core.backup.errors import BackupError

DUMP_NAMES = {"sqlite": "database/shidian.sqlite3", "postgresql": "database/shidian.pgdump"}


def vendor() -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"backup supports SQLite and PostgreSQL, not {connection.vendor}")
    return connection.vendor


def _settings() -> dict[str, Any]:
    return connection.settings_dict


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_copy(source: str | Path, target: str | Path) -> None:
    src = sqlite3.connect(str(source), timeout=20)
    dst = sqlite3.connect(str(target), timeout=20)
    try:
        src.execute("PRAGMA busy_timeout=20000")
        dst.execute("PRAGMA busy_timeout=20000")
        # pages=-1: every page in one step, so the copy is one snapshot of the source.
        src.backup(dst, pages=-1)
    finally:
        dst.close()
        src.close()


def _sqlite_migrations(path: Path) -> list[list[str]]:
    db = sqlite3.connect(str(path))
    try:
        ok = db.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"the database snapshot failed SQLite's check: {ok}")
        try:
            rows = db.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
        except sqlite3.OperationalError:
            rows = []
        return [[app, name] for app, name in rows]
    finally:
        db.close()


# --- PostgreSQL --------------------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    conf = _settings()
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if conf.get(key):
            env[var] = str(conf[key])
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    options = conf.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client (Debian: apt-get install"
            " postgresql-client), the same major version as the server or newer"
        )
    return found


def _pg_run(args: list[str]) -> None:
    result = subprocess.run(args, env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(args[0]).name} failed: {' / '.join(detail[-3:])}")


def _applied_migrations() -> list[list[str]]:
    with connection.cursor() as cursor:
        if "django_migrations" not in connection.introspection.table_names(cursor):
            return []
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        return [[app, name] for app, name in cursor.fetchall()]


# --- both --------------------------------------------------------------------------------------


def snapshot(target: Path) -> list[list[str]]:
    """Write a consistent snapshot of the default database to ``target``; its migrations."""
    kind = vendor()
    if kind == "sqlite":
        source = _settings()["NAME"]
        if not Path(source).exists():
            raise BackupError(f"the SQLite database {source} does not exist")
        _sqlite_copy(source, target)
        return _sqlite_migrations(target)
    migrations = _applied_migrations()
    _pg_run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
            f"--dbname={_settings()['NAME']}",
        ]
    )
    return migrations


def is_empty() -> bool:
    """True when the default database has no tables at all (a new file or a new database)."""
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def load(dump: Path, *, force: bool) -> None:
    """Replace the default database with the snapshot ``dump`` (verified by the caller)."""
    kind = vendor()
    if kind == "sqlite":
        target = _settings()["NAME"]
        connection.close()
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        # The backup API writes into the live file (and its WAL) as SQLite itself would, so a
        # stale -wal file can never be replayed over the restored pages.
        _sqlite_copy(dump, target)
        return
    if force:
        _pg_drop_everything()
    connection.close()
    _pg_run(
        [
            _pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_settings()['NAME']}",
            str(dump),
        ]
    )


def _pg_drop_everything() -> None:
    """--force on PostgreSQL: drop every table of the target (sequences and indexes go along)."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if tables:
            quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
            cursor.execute(f"DROP TABLE IF EXISTS {quoted} CASCADE")
