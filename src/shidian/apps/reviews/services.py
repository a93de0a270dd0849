"""Writes for reviews: store a reviewer's review of a submission, release a round's reviews.

The caller's service decides who may review and what the scores mean (a kind's form); these
keep the blind-review rule from the writing side: nobody changes a review once released, a
round is released once, and each reviewer is told.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.notifications.services import notify
from shidian.apps.reviews.models import Review
from shidian.textclean import clean_text


@transaction.atomic
def review_put(
    *,
    submission,
    reviewer,
    item_scores: dict[str, Any],
    total: float,
    vetoed: bool = False,
    veto_answers: dict[str, str] | None = None,
    strengths: str = "",
    weaknesses: str = "",
    suggestions: str = "",
    draft: bool = False,
) -> Review:
    """Create or replace ``reviewer``'s review while the round's reviews are blind
    (``draft``: saved half-way, counted nowhere until submitted).

    The round row is read under the same lock ``reviews_release`` takes, so a save racing a
    release either lands before it or is refused: nobody changes a review once others see it."""
    from shidian.apps.submissions.models import Round

    released_at = (
        Round._base_manager.select_for_update()
        .filter(pk=submission.round_id)
        .values_list("reviews_released_at", flat=True)
        .get()
    )
    if released_at is not None:
        raise ValidationError(_("评审结果已公布，评审意见不能再修改。"))
    review, _created = Review.objects.update_or_create(
        submission=submission,
        reviewer=reviewer,
        defaults={
            "item_scores": dict(item_scores),
            "veto_answers": dict(veto_answers or {}),
            "vetoed": vetoed,
            "total": round(total, 4),
            "strengths": clean_text(strengths, multiline=True),
            "weaknesses": clean_text(weaknesses, multiline=True),
            "suggestions": clean_text(suggestions, multiline=True),
            "draft": draft,
        },
    )
    return review


@transaction.atomic
def reviews_release(*, round_obj, reviewers: Iterable[Any], message: str, link: str = ""):
    """Release a round's reviews now (``round_obj`` has ``reviews_released_at``): re-read
    under a row lock so two clicks release once; every reviewer gets an in-app notice."""
    locked = type(round_obj)._base_manager.select_for_update().get(pk=round_obj.pk)
    if locked.reviews_released_at is not None:
        raise ValidationError(_("评审结果已经公布。"))
    locked.reviews_released_at = timezone.now()
    locked.save(update_fields=["reviews_released_at"])
    notify(reviewers, "reviews.release", message, link=link, target=locked, mail=False)
    return locked
