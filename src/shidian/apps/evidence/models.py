"""Evidence files (佐证材料) attached to a submission, one item of its form at a time.

Who may read a file follows from what it is attached to: a user may do to an evidence file what
they may do to its submission (the holder's access policy seen through ``submission``), so the
rules live in one place, the holder's. Another object that needs attachments later adds its
own nullable foreign key here and uses the same file checks (``evidence.files``).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet

# The stored name keeps only a short start of the original (which is kept whole in
# ``original_name``), so that the path, with the storage's "_abc1234" de-duplication suffix,
# stays within the FileField's max_length (100) and every file system's 255-byte limit.
STORED_STEM_BYTES = 40


def stored_name(filename: str) -> str:
    name = PurePosixPath(filename.replace("\\", "/")).name
    suffix = PurePosixPath(name).suffix.lower()
    if len(suffix) > 8 or not suffix[1:].isalnum():
        suffix = ""
    stem = re.sub(r"(?u)[^-\w]", "", name[: len(name) - len(suffix)] if suffix else name)
    stem = stem.encode("utf-8")[:STORED_STEM_BYTES].decode("utf-8", "ignore") or "file"
    return f"{stem}{suffix}"


def evidence_path(instance: Evidence, filename: str) -> str:
    """evidence/<round>/<submission>/<name>: the layout campaigns' files have always used."""
    holder = instance.submission
    return f"evidence/{holder.round_key}/{holder.pk}/{stored_name(filename)}"


class EvidenceQuerySet(ScopedQuerySet):
    """Who sees a file is the holder's policy seen through ``submission`` (registered by the
    app that owns the holder: ``Policy.through("submission")``)."""


class Evidence(models.Model):
    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.CASCADE, related_name="evidence"
    )
    item_code = models.CharField(_("评分要点"), max_length=64)
    file = models.FileField(_("文件"), upload_to=evidence_path)
    original_name = models.CharField(_("文件名"), max_length=255)
    kind = models.CharField(_("类型"), max_length=16)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()
    scope_unit_field = "submission__unit"

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["item_code", "created_at"]

    def __str__(self) -> str:
        return self.original_name
