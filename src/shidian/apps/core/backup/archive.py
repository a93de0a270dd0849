"""The archive: a gzip-compressed tar with the members first and ``manifest.json`` last.

Members are ``database/shidian.sqlite3`` or ``database/shidian.pgdump``, ``media/<name>`` for
every stored file and ``data/secret_key`` (when the installation generated its own key) and
``data/demo-accounts.json`` (when the demo was loaded). The manifest
lists each member with its size and SHA-256, so a restore can check every byte before it
changes anything.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from shidian.apps.core.backup.errors import BackupError

FORMAT = "shidian-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
SPOOL_MAX = 32 * 1024 * 1024


@dataclass(frozen=True)
class Entry:
    path: str
    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


class Writer:
    """Adds members one by one, hashing as it goes; ``close(manifest)`` writes the manifest."""

    def __init__(self, path: Path) -> None:
        self.entries: list[Entry] = []
        # Closed by close() or abort(): the writer outlives any one with-block.
        self._tar = tarfile.open(  # noqa: SIM115
            path, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT
        )

    def add_stream(self, name: str, stream: IO[bytes]) -> Entry:
        """Copy ``stream`` into a spool first: the size in the tar header must be exact."""
        digest = hashlib.sha256()
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX) as spool:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                spool.write(chunk)
            size = spool.tell()
            spool.seek(0)
            info = tarfile.TarInfo(name)
            info.size = size
            info.mode = 0o600
            self._tar.addfile(info, spool)
        entry = Entry(name, size, digest.hexdigest())
        self.entries.append(entry)
        return entry

    def add_file(self, name: str, path: Path) -> Entry:
        with open(path, "rb") as handle:
            return self.add_stream(name, handle)

    def close(self, manifest: dict[str, Any]) -> None:
        manifest = {**manifest, "files": [e.as_dict() for e in self.entries]}
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mode = 0o600
        self._tar.addfile(info, io.BytesIO(data))
        self._tar.close()

    def abort(self) -> None:
        self._tar.close()


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in name


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:gz")
    except FileNotFoundError as exc:
        raise BackupError(f"{path} does not exist") from exc
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(
            f"{path} is not a Shidian backup (not a readable .tar.gz): {exc}"
        ) from exc


def members(path: Path) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    """The archive's file members in order, each with a stream of its bytes."""
    with _open(path) as tar:
        for info in tar:
            if not info.isfile():
                raise BackupError(f"{path}: unexpected member {info.name!r} (not a file)")
            stream = tar.extractfile(info)
            assert stream is not None
            yield info, stream


@contextmanager
def damage_is_refused(path: Path) -> Iterator[None]:
    """A truncated or corrupted archive ends in one sentence, not a traceback."""
    try:
        yield
    except (OSError, tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"{path} is damaged (it cannot be read to the end): {exc}") from exc


def verify(path: Path) -> dict[str, Any]:
    """Read the whole archive and check every member against the manifest; the manifest.

    Nothing is written anywhere: a damaged, truncated or altered archive is refused here.
    """
    with damage_is_refused(path):
        return _verify(path)


def _verify(path: Path) -> dict[str, Any]:
    seen: dict[str, Entry] = {}
    manifest: dict[str, Any] | None = None
    for info, stream in members(path):
        if info.name == MANIFEST:
            try:
                manifest = json.loads(stream.read().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise BackupError(f"{path}: the manifest cannot be read ({exc})") from exc
            continue
        if not _safe_name(info.name) or info.name in seen:
            raise BackupError(f"{path}: unexpected member name {info.name!r}")
        digest = hashlib.sha256()
        size = 0
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        seen[info.name] = Entry(info.name, size, digest.hexdigest())
    if manifest is None:
        raise BackupError(f"{path} has no manifest: it is incomplete or not a Shidian backup")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Shidian backup (format {manifest.get('format')!r})")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} has backup format {manifest.get('format_version')}; this Shidian reads"
            f" format {FORMAT_VERSION}"
        )
    try:
        listed = {f["path"]: Entry(f["path"], f["size"], f["sha256"]) for f in manifest["files"]}
    except (KeyError, TypeError) as exc:
        raise BackupError(f"{path}: the manifest's file list is malformed ({exc})") from exc
    bad = sorted(name for name in listed.keys() | seen.keys() if listed.get(name) != seen.get(name))
    if bad:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise BackupError(
            f"{path} failed its checksums ({len(bad)} member(s) missing, extra or altered:"
            f" {shown}); nothing was restored"
        )
    return manifest
