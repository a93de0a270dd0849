"""Evidence uploads on a self-assessment sheet: the sheet's rules (its coordinators, while open,
an item of the standard), then the evidence app's checks and storage."""

from __future__ import annotations

from shidian.apps.campaigns.models import Evidence, Sheet

# Importable from here, as before the evidence app existed.
from shidian.apps.evidence.files import (  # noqa: F401
    MAX_NAME_BYTES,
    OFFICE_ZIP,
    OLE,
    clean_name,
    sniff,
    trim_name,
    utf8_prefix,
)
from shidian.apps.submissions import services as submission_services

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def evidence_add(*, sheet: Sheet, user, item_code: str, upload) -> Evidence:
    return submission_services.submission_attach(
        submission=sheet,
        user=user,
        item_code=item_code,
        upload=upload,
        max_bytes=MAX_EVIDENCE_BYTES,
    )


def evidence_delete(*, evidence: Evidence, user) -> None:
    submission_services.submission_detach(evidence=evidence, user=user)
