"""`backup_create` and `backup_restore`: the whole installation in one verified archive.

What a backup holds: the database snapshot first, then every file of the default storage
listed after the snapshot was taken. A file is stored before the row that names it is
committed, so every file the snapshot refers to is in the archive (files written later may be
there too, unreferenced and harmless). A file deleted between the snapshot and its copy is
left out and counted in ``vanished``.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

import shidian
from shidian.apps.core.backup import archive, database, media
from shidian.apps.core.backup.errors import BackupError

# Files of the data dir itself: the generated key (sessions, activation codes and demo passwords
# depend on it) and the demo accounts' password. Members are "data/<name>".
DATA_FILES = ("secret_key", "demo-accounts.json")


@dataclass
class BackupResult:
    path: Path
    vendor: str
    files: int = 0
    vanished: int = 0
    size: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _key_from_environment() -> bool:
    return bool(os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE"))


def _data_files() -> list[Path]:
    """The data dir's own files that exist (the key only when the installation generated it)."""
    names = [n for n in DATA_FILES if not (n == "secret_key" and _key_from_environment())]
    return [p for p in (Path(settings.DATA_DIR) / n for n in names) if p.exists()]


def _target(out: Path) -> Path:
    if out.is_dir():
        return out / f"shidian-backup-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar.gz"
    if out.exists():
        raise BackupError(f"{out} exists already: give a new file name or a directory")
    if not out.parent.is_dir():
        raise BackupError(f"the directory {out.parent} does not exist")
    return out


def backup_create(*, out: Path) -> BackupResult:
    """Write the database snapshot, every stored file and the manifest to one archive."""
    started = time.monotonic()
    target = _target(Path(out))
    vendor = database.vendor()
    partial = target.with_name(target.name + ".partial")
    result = BackupResult(path=target, vendor=vendor)
    writer = archive.Writer(partial)
    try:
        with tempfile.TemporaryDirectory(prefix="shidian-backup-", dir=target.parent) as tmp:
            dump = Path(tmp) / "database"
            migrations = database.snapshot(dump)
            writer.add_file(database.DUMP_NAMES[vendor], dump)
        store = media.storage()
        for name in media.walk(store):
            try:
                with store.open(name, "rb") as handle:
                    writer.add_stream(f"media/{name}", handle)
                result.files += 1
            except FileNotFoundError:
                result.vanished += 1
        for path in _data_files():
            writer.add_file(f"data/{path.name}", path)
        if _key_from_environment():
            result.notes.append("SECRET_KEY comes from the environment: keep it with the backup")
        writer.close(
            {
                "format": archive.FORMAT,
                "format_version": archive.FORMAT_VERSION,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "shidian_version": shidian.__version__,
                "database": {"vendor": vendor, "member": database.DUMP_NAMES[vendor]},
                "migrations": migrations,
                "storage": type(store).__module__ + "." + type(store).__name__,
                "vanished_files": result.vanished,
            }
        )
    except BaseException:
        writer.abort()
        partial.unlink(missing_ok=True)
        raise
    partial.chmod(0o600)  # password hashes and the key: readable by the owner only
    os.replace(partial, target)
    result.size = target.stat().st_size
    result.seconds = time.monotonic() - started
    return result


def _newer_migrations(manifest: dict[str, Any]) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}" for app, name in manifest.get("migrations", []) if (app, name) not in known
    ]


def _check(manifest: dict[str, Any], *, force: bool) -> None:
    """Every refusal that needs no write: the database kind, newer code, a non-empty target."""
    vendor = database.vendor()
    backed_up = manifest.get("database", {}).get("vendor")
    if backed_up != vendor:
        raise BackupError(
            f"this backup holds a {backed_up} database and the target is {vendor}:"
            " restore it into the same kind of database"
        )
    newer = _newer_migrations(manifest)
    if newer:
        shown = ", ".join(newer[:3]) + (" ..." if len(newer) > 3 else "")
        raise BackupError(
            f"this backup comes from a newer Shidian ({len(newer)} migration(s) this code does"
            f" not have: {shown}); upgrade Shidian first"
        )
    if force:
        return
    problems = []
    if not database.is_empty():
        problems.append(f"the database {connection.settings_dict['NAME']} has tables")
    if not media.is_empty():
        problems.append("the file storage holds files")
    if problems:
        raise BackupError(
            f"the target is not empty ({'; '.join(problems)}): restore into a new data directory"
            " and database, or add --force to replace everything"
        )


def _write_data_file(name: str, stream: Any, result: BackupResult) -> None:
    if name not in DATA_FILES:
        return
    if name == "secret_key" and _key_from_environment():
        result.notes.append("the backup's generated key was not written: SECRET_KEY is set here")
        return
    path = Path(settings.DATA_DIR) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(stream.read())
    path.chmod(0o600)


def backup_restore(*, source: Path, force: bool = False, migrate: bool = True) -> BackupResult:
    """Verify the whole archive, check the target, then restore; refusals change nothing."""
    started = time.monotonic()
    source = Path(source)
    manifest = archive.verify(source)
    _check(manifest, force=force)
    result = BackupResult(path=source, vendor=manifest["database"]["vendor"])
    if force:
        removed = media.delete_all()
        if removed:
            result.notes.append(f"{removed} file(s) of the target storage removed (--force)")
    db_member = manifest["database"]["member"]
    with (
        archive.damage_is_refused(source),
        tempfile.TemporaryDirectory(prefix="shidian-restore-") as tmp,
    ):
        for info, stream in archive.members(source):
            if info.name == db_member:
                dump = Path(tmp) / "database"
                with open(dump, "wb") as handle:
                    while chunk := stream.read(archive.CHUNK):
                        handle.write(chunk)
                database.load(dump, force=force)
            elif info.name.startswith("media/"):
                media.put(info.name.removeprefix("media/"), File(stream, name=info.name))
                result.files += 1
            elif info.name.startswith("data/"):
                _write_data_file(info.name.removeprefix("data/"), stream, result)
    connection.close()
    if migrate:
        call_command("migrate", "--no-input", verbosity=0)
    result.size = source.stat().st_size
    result.seconds = time.monotonic() - started
    return result
