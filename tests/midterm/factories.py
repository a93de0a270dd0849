"""A mid-term round for tests: the tracking world's batch 1 (six pilots) self-scored against
the example standard, scored by two experts and released.

Expert scores are chosen so the gaps are known: the first pilot (A1-1) scores 0 on every item
of the first indicator and full marks elsewhere; the second (A1-2) full marks everywhere (no
gap); the others half marks everywhere (every indicator 10% of its maximum below a 60% line).
"""

from __future__ import annotations

import datetime as dt

from tests.campaigns.factories import full_answers
from tests.conftest import make_user
from tests.standards.factories import published_version
from tests.tracking_world import pilot_world

NAME = "2026年中期初评"


def experts(tree):
    from shidian.apps.accounts.models import User

    found = []
    for name in ("mt-expert1", "mt-expert2"):
        user = User.objects.filter(username=name).first()  # scoping: ok test
        found.append(user or make_user(name, tree.city, "expert"))
    return found


def create(tree, *, scorer="experts", **extra):
    from django.utils import timezone

    from shidian.apps.midterm.services import midterm_create

    w = pilot_world(tree)
    args = {
        "by": w.office,
        "programme": w.programme,
        "cycle": w.batch1,
        "version": published_version(tree.county),
        "name": extra.pop("name", NAME),
        "opens_on": timezone.localdate(),
        "deadline": timezone.now() + dt.timedelta(days=10),
        "scorer": scorer,
        "reviewers": experts(tree) if scorer == "experts" else [],
    }
    args.update(extra)
    return midterm_create(**args)


def expert_scores(standard, position: int) -> dict[str, float]:
    first = standard.dimensions[0].indicators[0]
    scores = {}
    for _d, indicator, item in standard.item_paths():
        if item.method == "veto":
            continue
        if position == 0:
            scores[item.code] = 0 if indicator is first else item.max_score
        elif position == 1:
            scores[item.code] = item.max_score
        else:
            scores[item.code] = item.max_score / 2
    return scores


def submit_all(midterm, world) -> None:
    from django.utils import timezone

    from shidian.apps.campaigns import sheets
    from shidian.apps.campaigns.models import Sheet

    standard = midterm.campaign.version.as_standard()
    for unit in world.pilots:
        sheet = Sheet.objects.get(round=midterm.campaign, unit=unit)  # scoping: ok test
        user = world.coordinators[unit.pk]
        sheets.sheet_save_all(
            sheet=sheet, user=user, answers=full_answers(standard), base_version=sheet.version
        )
    # Evidence uploads are the campaigns tests' business: mark the sheets submitted directly.
    Sheet.objects.filter(round=midterm.campaign, unit__in=world.pilots).update(  # scoping: ok
        status="submitted", submitted_at=timezone.now()
    )


def score_all(midterm, world, reviewers) -> None:
    from shidian.apps.campaigns import reviews
    from shidian.apps.campaigns.models import Sheet

    standard = midterm.campaign.version.as_standard()
    for position, unit in enumerate(world.pilots):
        sheet = Sheet.objects.get(round=midterm.campaign, unit=unit)  # scoping: ok test
        for reviewer in reviewers:
            reviews.review_save(
                sheet=sheet, reviewer=reviewer, item_scores=expert_scores(standard, position)
            )


def scored_round(tree, *, release=True, scorer="experts", **extra):
    """The round, every pilot's sheet submitted and scored (released when ``release``)."""
    from shidian.apps.campaigns import reviews
    from shidian.apps.midterm.models import MidtermRound

    w = pilot_world(tree)
    found = MidtermRound.objects.filter(programme=w.programme).first()  # scoping: ok test
    if found and not extra:
        return found
    midterm = create(tree, scorer=scorer, **extra)
    submit_all(midterm, w)
    scorers = experts(tree) if scorer == "experts" else [w.office]
    score_all(midterm, w, scorers)
    if release:
        reviews.reviews_release(campaign=midterm.campaign, user=w.office)
    midterm.refresh_from_db()
    return midterm


class FakeRectification:
    """Records rectification_issue calls and returns objects with a pk."""

    def __init__(self):
        self.calls: list[dict] = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)

        class Item:
            pk = len(self.calls)

        return Item()
