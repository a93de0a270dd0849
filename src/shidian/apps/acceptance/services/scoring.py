"""An expert's acceptance scores of one pilot, stored as a ``reviews.Review`` on the pilot's
submission (blind to the other experts; the office and the leading group see all)."""

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
) -> Any:
    """Store ``by``'s scores of the pilot: every item scored within 0..max, every veto item
    answered 是/否; refused once the verdicts are confirmed. Nothing is stored when any value
    is wrong, and the message names every wrong item."""
    require(by, REVIEW, submission)
    acceptance = AcceptanceRound.objects.select_for_update().get(  # scoping: ok reviewed above
        round_id=submission.round_id
    )
    if acceptance.status != Status.OPEN:
        raise ValidationError(_("验收结论已确认，评分不能再修改。"))
    problems: list[str] = []
    item_scores: dict[str, float] = {}
    maxima = {}
    for item in scored_items(acceptance):
        maxima[item.code] = item.max_score
        value = _number(scores.get(item.code))
        if value is None:
            problems.append(_("%(code)s 尚未评分") % {"code": item.code})
        elif not math.isfinite(value) or not 0 <= value <= item.max_score:
            problems.append(
                _("%(code)s 的得分须在0到%(max)s之间")
                % {"code": item.code, "max": f"{item.max_score:g}"}
            )
        else:
            item_scores[item.code] = value
    veto_answers: dict[str, str] = {}
    for veto in acceptance.veto_items:
        answer = str(vetoes.get(veto["code"]) or "").strip()
        if answer not in (YES, NO):
            problems.append(_("否决项“%(text)s”请选择是或否") % {"text": veto["text"]})
        else:
            veto_answers[veto["code"]] = answer
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
    )
    audit_record(
        actor=by,
        action="acceptance.score",
        target=submission,
        unit=submission.unit,
        summary=f"{acceptance.name}: {total:.2f}",
    )
    return review
