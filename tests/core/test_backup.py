"""`shidian backup` / `shidian restore` on SQLite and on PostgreSQL, in processes of their own.

Each installation is a data dir (and, on PostgreSQL, a database of its own on the test server);
tests/core/backupkit.py fills one and prints a digest of every table and every file.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
# The suite's own database decides: the SQLite run tests SQLite, the PostgreSQL run (make test
# does both) tests PostgreSQL on the same server, in databases of its own.
VENDORS = (
    ["postgresql"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    else ["sqlite"]
)


def _pg_server() -> tuple[str, str]:
    """The PostgreSQL server of the suite's DATABASE_URL, and its database name as a base."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="")), parts.path.lstrip("/") or "shidian"


class Site:
    """One installation: a data dir, and on PostgreSQL a new database dropped at the end."""

    def __init__(self, root: Path, vendor: str, name: str) -> None:
        self.vendor = vendor
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_URL", "DJANGO_", "TASK_", "SECRET_KEY", "SHIDIAN_"))
        }
        self.env.update(
            {
                "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
                "SHIDIAN_DATA_DIR": str(root / name),
                "DJANGO_SETTINGS_MODULE": "shidian.config.settings",
            }
        )
        self.database = None
        if vendor == "postgresql":
            server, base = _pg_server()
            self.server = server
            self.database = f"{base}_bk{uuid.uuid4().hex[:8]}_{name}"
            with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.database}"')
            self.env["DATABASE_URL"] = f"{server}/{self.database}"

    def drop(self) -> None:
        if self.database:
            with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return self.run("-m", "shidian.cli", *args)

    def kit(self, *args: str):
        result = self.run("-m", "tests.core.backupkit", *args)
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def sites(tmp_path):
    made: list[Site] = []

    def make(vendor: str, name: str) -> Site:
        made.append(Site(tmp_path, vendor, name))
        return made[-1]

    yield make
    for site in made:
        site.drop()


@pytest.fixture(scope="module", params=VENDORS)
def source(request, tmp_path_factory):
    """A populated installation, its digest and its backup (written by the command line)."""
    root = tmp_path_factory.mktemp(f"backup-{request.param}")
    site = Site(root, request.param, "src")
    try:
        before = site.kit("populate")
        result = site.cli("backup", str(root / "site.tar.gz"))
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Backup written" in result.stdout
        yield site, before, root / "site.tar.gz"
    finally:
        site.drop()


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}


def _repack(archive: Path, out: Path, **changes: bytes) -> Path:
    with tarfile.open(out, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, data in _members(archive).items():
            data = changes.get(name, data)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


def test_round_trip_restores_every_table_and_every_file(source, sites):
    site, before, archive = source
    assert before["files"] and before["tables"]["orgs_orgunit"][0] > 10
    manifest = json.loads(_members(archive)["manifest.json"])
    assert manifest["format_version"] == 1 and manifest["database"]["vendor"] == site.vendor
    assert ["core", "0001_initial"] in manifest["migrations"]
    listed = {f["path"] for f in manifest["files"]}
    assert {f"media/{name}" for name in before["files"]} <= listed
    assert manifest["database"]["member"] in listed and "data/secret_key" in listed

    target = sites(site.vendor, "dst")  # another data dir and, on PostgreSQL, database name
    result = target.cli("restore", str(archive))
    assert result.returncode == 0, result.stderr[-3000:]
    after = target.kit("digest")
    assert after["tables"] == before["tables"]
    assert after["files"] == before["files"]
    assert (
        Path(target.env["SHIDIAN_DATA_DIR"], "secret_key").read_text()
        == Path(site.env["SHIDIAN_DATA_DIR"], "secret_key").read_text()
    )


def test_non_empty_target_is_refused_without_force(source):
    site, before, archive = source
    result = site.cli("restore", str(archive))
    assert result.returncode == 1
    assert "the target is not empty" in result.stderr and "--force" in result.stderr
    assert site.kit("digest") == before


def test_damaged_archives_are_refused_and_change_nothing_even_with_force(source, tmp_path):
    site, before, archive = source
    data = bytearray(archive.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    flipped = tmp_path / "flipped.tar.gz"
    flipped.write_bytes(bytes(data))
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: len(data) // 3])
    media = next(name for name in _members(archive) if name.startswith("media/"))
    altered = _repack(archive, tmp_path / "altered.tar.gz", **{media: b"not the file"})

    results = site.kit("restore", "--force", str(flipped), str(truncated), str(altered))
    for result in results:
        assert result["error"], result
        assert result["digest"] == before
    assert "damaged" in results[1]["error"]
    assert "failed its checksums" in results[2]["error"] and media in results[2]["error"]

    # The good archive with --force replaces the (identical) data: the same digest again.
    (good,) = site.kit("restore", "--force", str(archive))
    assert good["error"] is None
    assert good["digest"] == before


def test_a_backup_from_newer_code_is_refused(source, sites, tmp_path):
    site, _before, archive = source
    manifest = json.loads(_members(archive)["manifest.json"])
    manifest["migrations"].append(["core", "9999_from_the_future"])
    newer = _repack(
        archive, tmp_path / "newer.tar.gz", **{"manifest.json": json.dumps(manifest).encode()}
    )
    target = sites(site.vendor, "new")
    (result,) = target.kit("restore", str(newer))
    assert "newer Shidian" in result["error"] and "core.9999_from_the_future" in result["error"]
    assert result["digest"] == {"tables": {}, "files": {}}


@pytest.mark.parametrize("vendor", VENDORS)
def test_backup_while_rows_are_saved_is_one_consistent_snapshot(vendor, sites, tmp_path):
    site = sites(vendor, "busy")
    counts = site.kit("concurrent", str(tmp_path / "busy.tar.gz"))
    target = sites(vendor, "busycopy")
    result = target.cli("restore", str(tmp_path / "busy.tar.gz"))
    assert result.returncode == 0, result.stderr[-3000:]
    stored = target.kit("batches")
    # Whole transactions only, and all of those before the snapshot: batches 0..k-1, each full.
    assert set(stored.values()) == {5}
    assert sorted(map(int, stored)) == list(range(len(stored)))
    # ("after" is read once the backup returned; the batch committed just before the snapshot
    # may not have counted itself yet, hence + 1.)
    assert counts["before"] <= len(stored) <= counts["after"] + 1 < counts["total"]
