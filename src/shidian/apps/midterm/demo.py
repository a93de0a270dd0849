"""Demo data: a mid-term round for the demo programme's batch 1, every pilot's sheet filled
and submitted, scored by the demo expert and released, so the gap page has content."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

DEMO_NAME = "2026年试点学校中期初评"
EXPERT = "expert"


def _answers(standard: Any) -> dict:
    """A complete, plausible self-assessment (every item answered; veto items 否)."""
    answers = {}
    for item in standard.items():
        if item.method == "levels":
            answers[item.code] = {"value": item.levels[0].label}
        elif item.method in ("yes_no",):
            answers[item.code] = {"value": "是"}
        elif item.method == "veto":
            answers[item.code] = {"value": "否"}
        elif item.method == "ratio":
            answers[item.code] = {"numerator": 9, "denominator": 10}
        elif item.method == "number":
            answers[item.code] = {"value": 1000}
        else:
            answers[item.code] = {"value": item.max_score}
    return answers


def _expert_scores(standard: Any, position: int) -> dict[str, float]:
    """Deterministic expert scores between 30% and 100% of each item's maximum, varying by
    school and item, so each school has a few indicators under the line."""
    scores = {}
    for index, item in enumerate(standard.items()):
        if item.method == "veto":
            continue
        fraction = 0.3 + 0.7 * (((position * 7 + index * 3) % 10) / 9)
        scores[item.code] = round(min(1.0, fraction) * item.max_score * 2) / 2
    return scores


def _expert(programme: Any, password: str) -> Any:
    from shidian.apps.accounts.models import Role, User

    found = User.objects.filter(username=EXPERT, is_active=True).first()  # scoping: ok demo
    if found is not None:
        return found
    user = User.objects.create_user(  # scoping: ok demo set-up
        username="midterm-expert", password=password, role=Role.EXPERT, unit=programme.unit
    )
    return user


@transaction.atomic
def load_demo(*, programme: Any, office: Any, password: str) -> dict:
    """Idempotent: a second call finds the round and changes nothing."""
    from shidian.apps.campaigns import reviews, sheets
    from shidian.apps.campaigns.models import Sheet
    from shidian.apps.midterm.models import MidtermRound
    from shidian.apps.midterm.services import midterm_create
    from shidian.apps.standards.models import StandardVersion

    found = MidtermRound.objects.filter(programme=programme).first()  # scoping: ok demo
    if found is not None:
        return {"midterm": found.pk, "created": False}
    cycle = programme.cycles.filter(number=1).first()
    version = (
        programme.standard_versions.filter(status="published").first()
        or StandardVersion.objects.filter(  # scoping: ok demo set-up
            standard__unit=programme.unit, status="published"
        ).first()
    )
    if cycle is None or version is None:
        return {"midterm": None, "created": False}
    expert = _expert(programme, password)
    midterm = midterm_create(
        by=office,
        programme=programme,
        cycle=cycle,
        version=version,
        name=DEMO_NAME,
        opens_on=timezone.localdate(),
        deadline=timezone.now() + dt.timedelta(days=14),
        scorer="experts",
        pass_mark=round(0.7 * version.as_standard().max_total()),
        reviewers=[expert],
    )
    standard = version.as_standard()
    answers = _answers(standard)
    units = list(midterm.campaign.sheets.order_by("unit__code"))
    for position, sheet in enumerate(units):
        sheet = Sheet.objects.get(pk=sheet.pk)  # scoping: ok demo set-up
        sheets.sheet_save_all(sheet=sheet, user=None, answers=answers, base_version=sheet.version)
        # The demo has no evidence files: the sheets are marked submitted as the office would
        # see them after the schools uploaded theirs.
        Sheet.objects.filter(pk=sheet.pk).update(  # scoping: ok demo set-up
            status="submitted", submitted_at=timezone.now()
        )
        sheet.refresh_from_db()
        reviews.review_save(
            sheet=sheet,
            reviewer=expert,
            item_scores=_expert_scores(standard, position),
            strengths="基础设施完善。",
            weaknesses="部分指标未达验收要求。",
            suggestions="对照差距逐项整改。",
        )
    reviews.reviews_release(campaign=midterm.campaign, user=office)
    return {"midterm": midterm.pk, "created": True, "schools": len(units)}
