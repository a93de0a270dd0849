"""Writes of expert review (专家评审): a reviewer's scores, veto answers and remarks on a sheet,
and the office's release of the reviews.

Experts score blind to each other (PRODUCT.md). What a user may read of the reviews is decided
by ``Review.objects.restrict`` alone; these writes keep the rule from the other side: only the
campaign's reviewers write, only its office releases, and nobody changes a review once released.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.campaigns.models import Campaign, Review, Sheet
from shidian.apps.core.access import MANAGE, REVIEW, can
from shidian.apps.core.engine_messages import describe
from shidian.apps.core.services import audit_record
from shidian.apps.reviews import services as review_services
from shidian.engine.scoring import AnswerError, Method, check_score
from shidian.engine.scoring.score import is_vetoed, parse_yes_no


def _review_number(item, raw: Any) -> float | None:
    """A reviewer's score for ``item`` (0..max), None when blank; the problem is told from the
    engine's code in the user's language."""
    try:
        number = check_score(raw, item.max_score, item=item.code)
    except AnswerError as exc:
        raise ValidationError(
            _("%(code)s：%(problem)s") % {"code": item.code, "problem": describe(exc)},
            code=exc.code,
        ) from exc
    if number is None:
        return None
    return int(number) if float(number).is_integer() else number


def _review_veto(item, raw: Any) -> str | None:
    try:
        flag = parse_yes_no(raw)
    except ValueError:
        raise ValidationError(_("%(code)s：否决项请选择“是”或“否”") % {"code": item.code}) from None
    return None if flag is None else ("是" if flag else "否")


@transaction.atomic
def review_save(
    *,
    sheet: Sheet,
    reviewer,
    item_scores: Mapping[str, Any],
    vetoes: Mapping[str, Any] | None = None,
    strengths: str = "",
    weaknesses: str = "",
    suggestions: str = "",
) -> Review:
    """A reviewer's own score per item (0..max), 是/否 per veto item, and remarks.

    Only the campaign's reviewers write reviews, and only until the office releases them: once
    reviewers can see each other's scores, changing one's own would no longer be independent.
    Every problem is reported at once and nothing is stored while there is one.
    """
    campaign = sheet.campaign
    if not can(reviewer, REVIEW, sheet):  # an expert grant on the campaign or the sheet
        raise PermissionDenied
    if campaign.reviews_released_at is not None:
        raise ValidationError(_("评审结果已公布，评审意见不能再修改。"))
    standard = campaign.version.as_standard()
    weights = standard.item_weight()
    vetoes = vetoes or {}
    scores: dict[str, float] = {}
    veto_answers: dict[str, str] = {}
    problems: list[str] = []
    for item in standard.items():
        try:
            if item.method == Method.VETO:
                answer = _review_veto(item, vetoes.get(item.code))
                if answer is not None:
                    veto_answers[item.code] = answer
            else:
                number = _review_number(item, item_scores.get(item.code))
                if number is not None:
                    scores[item.code] = number
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise ValidationError(problems)
    # Items the reviewer left blank keep the unit's own score and veto answer.
    vetoed = any(
        veto_answers.get(item.code) == "是"
        if item.code in veto_answers
        else is_vetoed(item, sheet.answers.get(item.code))
        for item in standard.items()
        if item.method == Method.VETO
    )
    review = review_services.review_put(
        submission=sheet,
        reviewer=reviewer,
        item_scores=scores,
        veto_answers=veto_answers,
        vetoed=vetoed,
        total=sum(scores.get(c, sheet.scores.get(c) or 0.0) * weights[c] for c in weights),
        strengths=strengths,
        weaknesses=weaknesses,
        suggestions=suggestions,
    )
    # No figures in the audit summary: the audit log must not become a way round blind review.
    audit_record(actor=reviewer, action="campaigns.review_save", target=sheet, unit=sheet.unit)
    return review


@transaction.atomic
def reviews_release(*, campaign: Campaign, user) -> Campaign:
    """The office shows every reviewer the others' scores (reconciled figures); from then on
    the reviews are frozen. Each reviewer gets an in-app notice."""
    if not can(user, MANAGE, campaign):
        raise PermissionDenied
    url = f"{reverse('campaigns:my_reviews')}?campaign={campaign.pk}"
    campaign = review_services.reviews_release(
        round_obj=campaign,
        reviewers=campaign.reviewers.all(),
        message=_("%(name)s：评审结果已公布") % {"name": campaign.name},
        link=url,
    )
    audit_record(
        actor=user,
        action="campaigns.reviews_release",
        target=campaign,
        unit=campaign.unit,
        summary=str(Review.objects.filter(submission__round=campaign).count()),  # scoping: ok
    )
    return campaign
