"""Reviews (评审) of a submission: a reviewer's score per item, veto answers and remarks.

Blind review (PRODUCT.md): until the round's office releases the reviews, a reviewer sees only
their own; the office that runs the round always sees them all. That rule is the Review
access policy's ``limit`` and nothing else decides it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.scoping import ScopedQuerySet


class ReviewQuerySet(ScopedQuerySet):
    """Blind review is the Review policy's ``limit`` (registered by the app owning the
    submissions), so restrict(user, action) is the one place that decides."""


class Review(models.Model):
    """A reviewer's scores and remarks on one submission."""

    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    item_scores = models.JSONField(_("核定得分"), default=dict)
    total = models.FloatField(_("核定总分"), default=0)
    strengths = models.TextField(_("亮点"), blank=True)
    weaknesses = models.TextField(_("不足"), blank=True)
    suggestions = models.TextField(_("建议"), blank=True)
    # The reviewer's own 是/否 on veto items (item code -> "是"/"否"); an item left blank keeps
    # the unit's answer, as a blank score keeps the unit's score.
    veto_answers = models.JSONField(_("否决项核定"), default=dict, blank=True)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    # A draft is saved half-way (some items scored) and counts nowhere until the reviewer
    # submits it; a kind that has no drafts never sets it.
    draft = models.BooleanField(_("草稿"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewQuerySet.as_manager()
    scope_unit_field = "submission__unit"

    class Meta:
        verbose_name = _("评审")
        verbose_name_plural = _("评审")
        constraints = [
            models.UniqueConstraint(fields=["submission", "reviewer"], name="review_unique")
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} · {self.reviewer_id}"
