"""A file tried on the exchange page and waiting for its confirmation (step 2). The row names the
stored file, so a file never confirmed can be found and deleted (cleanup.py) instead of staying
in storage forever; the person's session holds only the row's id."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _file_path(instance: PendingUpload, filename: str) -> str:
    return f"exchange/{instance.user_id}/{uuid.uuid4().hex}.{instance.format}"


class PendingUpload(models.Model):
    """Not a unit's data (no scope_unit_field): it belongs to the person who uploaded it, and
    is only ever looked up by its id together with that person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=_file_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    dataset = models.CharField(max_length=32)
    format = models.CharField(max_length=8)
    strategy = models.CharField(max_length=32)
    rows = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("待确认的导入文件")
        verbose_name_plural = _("待确认的导入文件")

    def __str__(self) -> str:
        return self.name
