"""Self-assessment campaigns (自查赋分): the "self_assessment" kind of the submission mechanism.

A campaign is a :class:`~shidian.apps.submissions.models.Round` that pins a published standard
version and invites units; each invited unit's sheet is a Submission whose answers, scores and
every saved revision are kept. ``Campaign``, ``Sheet`` and ``SheetRevision`` are proxies of
Round, Submission and Revision (the rows live in the same tables as always), and ``Evidence``,
``Review`` and ``Notification`` are their apps' models, importable from here.

Answers and scores live on the sheet as JSON (item code -> value): a save is one row update,
which keeps autosave and bulk ingest fast; cross-sheet figures (weakest items, the national
aggregate) expand the JSON in the database (see selectors.item_averages).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet
from shidian.apps.evidence.models import Evidence, evidence_path  # noqa: F401
from shidian.apps.notifications.models import Notification  # noqa: F401
from shidian.apps.reviews.models import Review  # noqa: F401
from shidian.apps.submissions.models import (
    Revision,
    RevisionKind,  # noqa: F401
    Round,
    RoundStatus,
    Submission,
)
from shidian.apps.submissions.states import EDITABLE, SUBMITTED, Status  # noqa: F401

KIND = "self_assessment"
CampaignStatus = RoundStatus
SheetStatus = Status


# Who sees which campaign, sheet or revision is decided by the policies (submissions/policies.py);
# these managers only keep to the self-assessment kind.
class CampaignManager(models.Manager.from_queryset(ScopedQuerySet)):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(kind=KIND)


class Campaign(Round):
    objects = CampaignManager()

    class Meta:
        proxy = True
        verbose_name = _("自查赋分")
        verbose_name_plural = _("自查赋分")
        ordering = ["-created_at"]

    def save(self, *args, **kwargs) -> None:
        self.kind = KIND
        super().save(*args, **kwargs)


class SheetManager(models.Manager.from_queryset(ScopedQuerySet)):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(round__kind=KIND)


class Sheet(Submission):
    objects = SheetManager()

    class Meta:
        proxy = True
        verbose_name = _("自查表")
        verbose_name_plural = _("自查表")


class SheetRevision(Revision):
    objects = ScopedQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("自查表版本")
        verbose_name_plural = _("自查表版本")
        ordering = ["submission", "-number"]
