"""Uploaded and generated files, through Django's default storage (local disk or S3 alike)."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.files.base import File
from django.core.files.storage import Storage, default_storage

from shidian.apps.core.backup.errors import BackupError


def storage() -> Storage:
    return default_storage


def walk(store: Storage | None = None, top: str = "") -> Iterator[str]:
    """Every file name in the storage, depth first, sorted (names use "/" on every storage)."""
    store = store or storage()
    try:
        dirs, files = store.listdir(top)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{top}/{name}" if top else name
    for name in sorted(dirs):
        yield from walk(store, f"{top}/{name}" if top else name)


def is_empty() -> bool:
    return next(walk(), None) is None


def delete_all() -> int:
    """--force: remove every file of the storage; the number removed."""
    store = storage()
    names = list(walk(store))
    for name in names:
        store.delete(name)
    return len(names)


def put(name: str, content: File) -> None:
    """Store ``content`` under exactly ``name`` (a storage that renames would lose the link)."""
    saved = storage().save(name, content)
    if saved != name:
        storage().delete(saved)
        raise BackupError(f"the storage stored {name} as {saved}: is the target really empty?")
