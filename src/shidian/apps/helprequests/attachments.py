"""Files attached to a help request or to one of its messages.

The services check every upload before they write anything (``attachments_check``) and save
them inside their own transaction (``attachments_save``), so a bad file refuses the whole
message with a clear reason and nothing half-saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shidian.apps.helprequests.models import HelpAttachment, HelpMessage, HelpRequest

MAX_FILES = 5


def attachments_check(uploads: Sequence[Any]) -> list[tuple[Any, str, str]]:
    """(upload, clean name, kind) for each upload; one ValidationError naming every bad file."""
    from shidian.apps.evidence.files import check_upload

    uploads = [u for u in uploads or () if u is not None]
    if len(uploads) > MAX_FILES:
        raise ValidationError(
            _("每次最多上传 %(n)s 个附件。") % {"n": MAX_FILES}, code="too_many_files"
        )
    checked, errors = [], []
    for upload in uploads:
        try:
            name, kind = check_upload(upload)
        except ValidationError as exc:
            errors.extend(
                _("附件“%(name)s”：%(error)s") % {"name": upload.name, "error": m}
                for m in exc.messages
            )
        else:
            checked.append((upload, name, kind))
    if errors:
        raise ValidationError(errors, code="attachment")
    return checked


def attachments_save(
    *,
    by: Any,
    request: HelpRequest,
    checked: list[tuple[Any, str, str]],
    message: HelpMessage | None = None,
) -> list[HelpAttachment]:
    """Store checked uploads (call inside the service's transaction)."""
    rows = []
    for upload, name, kind in checked:
        row = HelpAttachment(
            request=request,
            message=message,
            name=name,
            kind=kind,
            size=upload.size or 0,
            uploaded_by=by,
        )
        row.file.save(name, upload, save=False)
        row.save()
        rows.append(row)
    return rows
