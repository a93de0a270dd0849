"""The daily cleanup of the exchange page's uploads that were tried but never confirmed (the
person left, or the session ended): their files would otherwise stay in storage forever."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from shidian.apps.exchange.models import PendingUpload

log = logging.getLogger(__name__)


def pending_uploads_purge(*, older_than: dt.timedelta | None = None) -> int:
    """Delete the pending uploads older than ``older_than`` (default the setting), file and row;
    returns how many. A file already gone is no reason to keep its row."""
    if older_than is None:
        older_than = dt.timedelta(hours=settings.EXCHANGE_UPLOAD_MAX_AGE_HOURS)
    cutoff = timezone.now() - older_than
    stale = PendingUpload.objects.filter(created_at__lt=cutoff)  # scoping: ok system job
    purged = 0
    for upload in stale.iterator():
        try:
            upload.file.delete(save=False)
        except Exception:  # noqa: BLE001 - storage down: keep the row, try again tomorrow
            log.exception("could not delete pending upload file %s", upload.file.name)
            continue
        upload.delete()
        purged += 1
    return purged


@task()
def purge_pending_uploads() -> int:
    return pending_uploads_purge()
