"""Evidence uploads on a self-assessment sheet: the sheet's rules (its coordinators, while open,
an item of the standard), then the evidence app's checks and storage."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shidian.apps.campaigns.models import Evidence, Sheet
from shidian.apps.evidence import services as evidence_services

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

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


@transaction.atomic
def evidence_add(*, sheet: Sheet, user, item_code: str, upload) -> Evidence:
    from shidian.apps.campaigns.sheets import _check_open, _require_editor

    _require_editor(sheet, user)
    _check_open(sheet)
    codes = {item.code for item in sheet.campaign.version.as_standard().items()}
    if item_code not in codes:
        raise ValidationError(_("没有这个评分要点：%(code)s") % {"code": item_code})
    return evidence_services.evidence_store(
        submission=sheet,
        user=user,
        item_code=item_code,
        upload=upload,
        max_bytes=MAX_EVIDENCE_BYTES,
    )


@transaction.atomic
def evidence_delete(*, evidence: Evidence, user) -> None:
    from shidian.apps.campaigns.sheets import _check_open, _require_editor

    _require_editor(evidence.submission, user)
    _check_open(evidence.submission)
    evidence_services.evidence_remove(evidence=evidence)
