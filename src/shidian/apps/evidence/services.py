"""Writes for evidence: store a checked file on a submission, remove one.

Whether the user may attach to this submission now (its owner, still open) is the holder's
rule and is checked by the caller's service before these run (see submissions / campaigns).
"""

from __future__ import annotations

from django.db import transaction

from shidian.apps.evidence.files import MAX_EVIDENCE_BYTES, check_upload
from shidian.apps.evidence.models import Evidence


@transaction.atomic
def evidence_store(
    *, submission, user, item_code: str, upload, max_bytes: int = MAX_EVIDENCE_BYTES
) -> Evidence:
    name, kind = check_upload(upload, max_bytes=max_bytes)
    return Evidence.objects.create(
        submission=submission,
        item_code=item_code,
        file=upload,
        original_name=name,
        kind=kind,
        size=upload.size,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )


@transaction.atomic
def evidence_remove(*, evidence: Evidence) -> None:
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    # The file goes only once the row's removal is committed (a rollback keeps both).
    transaction.on_commit(lambda: storage.delete(name))
