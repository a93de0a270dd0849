"""Writes for evidence: store a checked file on a submission, remove one.

Whether the user may attach to this submission now (its owner, still open) is the holder's
rule and is checked by the caller's service before these run (see submissions / campaigns).

A file reaches storage when its row is saved, before the transaction commits; a refusal after
that (the holder's own checks, a report field's save) rolls the row back but not the file.
Every attach service therefore runs in :func:`attach_atomic`, which removes the files stored
inside it when it ends in an exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.files.storage import Storage
from django.db import transaction

from shidian.apps.evidence.files import MAX_EVIDENCE_BYTES, check_upload
from shidian.apps.evidence.models import Evidence

# The files stored inside the innermost attach_atomic block (None outside any).
_stored: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("evidence_stored", default=None)


@contextmanager
def attach_atomic() -> Iterator[None]:
    """``transaction.atomic`` that also deletes from storage the evidence files stored inside
    it when it rolls back (an exception leaves it), so a refused attach leaves no orphan file.
    Usable as a decorator (``@attach_atomic()``) and nested: an inner block that succeeds hands
    its files to the outer one, which removes them if it fails later. A rollback outside every
    such block (after it ended well) is not seen: keep the whole attach inside one."""
    outer = _stored.get()
    mine: list[tuple[Storage, str]] = []
    token = _stored.set(mine)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        # The block's savepoint (or transaction) is rolled back: its rows are gone.
        for storage, name in mine:
            storage.delete(name)
        raise
    else:
        if outer is not None:
            outer.extend(mine)
    finally:
        _stored.reset(token)


@attach_atomic()
def evidence_store(
    *, submission, user, item_code: str, upload, max_bytes: int = MAX_EVIDENCE_BYTES
) -> Evidence:
    name, kind = check_upload(upload, max_bytes=max_bytes)
    row = Evidence(
        submission=submission,
        item_code=item_code,
        original_name=name,
        kind=kind,
        size=upload.size,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    # Stored first, then noted, then the row: a failing insert leaves no file either.
    row.file.save(upload.name, upload, save=False)
    stored = _stored.get()
    if stored is not None:
        stored.append((row.file.storage, row.file.name))
    row.save()
    return row


@transaction.atomic
def evidence_remove(*, evidence: Evidence) -> None:
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    # The file goes only once the row's removal is committed (a rollback keeps both).
    transaction.on_commit(lambda: storage.delete(name))
