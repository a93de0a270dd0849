"""An expert's acceptance scores of one pilot, stored as a ``reviews.Review`` on the pilot's
submission (blind to the other experts; the office and the leading group see all).

A draft (``draft=True``) keeps whatever is filled in, some items or none, each value still
within its range; it counts nowhere. Submitting needs every item and every veto answer, and a
refused submission changes nothing (the draft stays as it was). A submitted score is not turned
back into a draft."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shidian.apps.acceptance.models import AcceptanceRound, Status
from shidian.apps.core.access import REVIEW, require
from shidian.apps.core.services import audit_record
from shidian.apps.reviews.services import review_put
from shidian.apps.submissions.models import Submission
from shidian.engine.acceptance import expert_total

YES, NO = "是", "否"


def scored_items(acceptance: AcceptanceRound) -> list[Any]:
    """The standard's items the experts score (every item but the veto ones)."""
    return [i for i in acceptance.version.as_standard().items() if i.method != "veto"]


def weights_of(acceptance: AcceptanceRound) -> dict[str, float]:
    return acceptance.version.as_standard().item_weight()


def _number(raw: Any) -> float | None:
    text = str(raw if raw is not None else "").strip().replace("，", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value


@transaction.atomic
def score_put(
    *,
    by: Any,
    submission: Submission,
    scores: Mapping[str, Any],
    vetoes: Mapping[str, Any],
    strengths: str = "",
    weaknesses: str = "",
    suggestions: str = "",
    draft: bool = False,
) -> Any:
    """Store ``by``'s scores of the pilot: every item scored within 0..max, every veto item
    answered 是/否 (a draft: only the values given, each in range); refused once the verdicts
    are confirmed, and for a pilot not assigned to ``by`` in a round with assignments. Nothing
    is stored when any value is wrong, and the message names every wrong or missing item."""
    from shidian.apps.acceptance.models import Assignment
    from shidian.apps.reviews.models import Review

    require(by, REVIEW, submission)
    acceptance = AcceptanceRound.objects.select_for_update().get(  # scoping: ok reviewed above
        round_id=submission.round_id
    )
    if acceptance.status != Status.OPEN:
        raise ValidationError(_("验收结论已确认，评分不能再修改。"), code="closed")
    pairs = Assignment.objects.filter(acceptance=acceptance)  # scoping: ok reviewed above
    if pairs.exists() and not pairs.filter(unit_id=submission.unit_id, expert=by).exists():
        raise ValidationError(_("这所学校没有分配给您评分。"))
    if (
        draft
        and Review.objects.filter(  # scoping: ok the expert's own review
            submission=submission, reviewer=by, draft=False
        ).exists()
    ):
        raise ValidationError(
            _("评分已提交，不能再存为草稿；修改后请重新提交。"), code="not_allowed"
        )
    problems: list[str] = []
    unscored: list[str] = []
    item_scores: dict[str, float] = {}
    maxima = {}
    for item in scored_items(acceptance):
        maxima[item.code] = item.max_score
        value = _number(scores.get(item.code))
        if value is None:
            unscored.append(item.code)
        elif not math.isfinite(value) or not 0 <= value <= item.max_score:
            problems.append(
                _("%(code)s 的得分须在0到%(max)s之间")
                % {"code": item.code, "max": f"{item.max_score:g}"}
            )
        else:
            item_scores[item.code] = value
    veto_answers: dict[str, str] = {}
    unanswered: list[str] = []
    for veto in acceptance.veto_items:
        answer = str(vetoes.get(veto["code"]) or "").strip()
        if not answer:
            unanswered.append(veto["text"])
        elif answer not in (YES, NO):
            problems.append(_("否决项“%(text)s”请选择是或否") % {"text": veto["text"]})
        else:
            veto_answers[veto["code"]] = answer
    if not draft and unscored:
        problems.insert(
            0,
            _("还有 %(n)d 项未评分：%(codes)s。可先保存草稿，评完后再提交。")
            % {"n": len(unscored), "codes": "、".join(unscored)},
        )
    if not draft and unanswered:
        problems.append(_("否决项尚未选择是或否：%(items)s。") % {"items": "、".join(unanswered)})
    if problems:
        raise ValidationError(problems)
    total = expert_total(item_scores, maxima, weights_of(acceptance))
    review = review_put(
        submission=submission,
        reviewer=by,
        item_scores=item_scores,
        total=total,
        vetoed=YES in veto_answers.values(),
        veto_answers=veto_answers,
        strengths=strengths,
        weaknesses=weaknesses,
        suggestions=suggestions,
        draft=draft,
    )
    audit_record(
        actor=by,
        action="acceptance.score_draft" if draft else "acceptance.score",
        target=submission,
        unit=submission.unit,
        summary=f"{acceptance.name}: {total:.2f}",
    )
    return review
