"""Reads of the mid-term evaluation: rounds a user may see, the scores the gaps use, each
school's gap report and the programme-wide table of gaps per indicator."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from shidian.apps.core.access import VIEW, get_scoped_or_404
from shidian.apps.midterm.models import GapItem, MidtermRound, Scorer
from shidian.apps.reviews.models import Review
from shidian.apps.submissions.models import Submission
from shidian.apps.submissions.states import SUBMITTED
from shidian.engine.gaps import GapReport, analyse, indicator_scores, mean_item_scores


def rounds_for(*, user: Any, programme: Any) -> QuerySet[MidtermRound]:
    return (
        MidtermRound.objects.restrict(user, VIEW)
        .filter(programme=programme)
        .select_related("cycle", "campaign", "campaign__version__standard")
    )


def round_for(*, user: Any, midterm_id: int, action: str = VIEW) -> MidtermRound:
    qs = MidtermRound.objects.select_related(
        "programme", "programme__unit", "cycle", "campaign", "campaign__version__standard"
    )
    return get_scoped_or_404(qs, user, action=action, pk=midterm_id)


def sheet_for(*, user: Any, sheet_id: int) -> Submission:
    """A sheet of a mid-term round that ``user`` may see (404 otherwise): the school's own."""
    qs = Submission.objects.select_related(
        "unit", "round", "round__midterm", "round__version"
    ).filter(round__midterm__isnull=False)
    return get_scoped_or_404(qs, user, action=VIEW, pk=sheet_id)


def scores_ready(midterm: MidtermRound) -> bool:
    """Expert scores count once the office has released the reviews (blind until then); the
    office's own scores count as soon as they are saved."""
    return midterm.scorer == Scorer.OFFICE or midterm.campaign.reviews_released_at is not None


def released(midterm: MidtermRound) -> bool:
    return midterm.campaign.reviews_released_at is not None


@dataclass
class SchoolGaps:
    sheet: Any
    unit: Any
    report: GapReport | None  # None: not scored yet
    reviews: int
    issued: dict[str, int | None]  # indicator code -> rectification item id


def _report(midterm: MidtermRound, standard: Any, sheet: Any, reviews: list[Any]) -> GapReport:
    means = mean_item_scores([r.item_scores for r in reviews], sheet.scores or {})
    # A veto is reconciled by majority: more than half of the scorers found it.
    vetoed = sum(bool(r.vetoed) for r in reviews) * 2 > len(reviews)
    rows = indicator_scores(standard, means, level=midterm.level)
    return analyse(
        rows,
        share=midterm.share,
        pass_mark=midterm.pass_mark,
        veto_codes=[c for c in midterm.veto_codes if c in {r.code for r in rows}],
        vetoed=vetoed,
    )


def school_gaps(midterm: MidtermRound, *, sheets: QuerySet | None = None) -> list[SchoolGaps]:
    """Every submitted sheet of the round (or those of ``sheets``) with its gap report, when its
    scores count (see ``scores_ready``); the caller has already checked access to the round or
    the sheet."""
    standard = midterm.campaign.version.as_standard()
    qs = sheets if sheets is not None else midterm.campaign.sheets.all()
    qs = qs.filter(status__in=sorted(SUBMITTED)).select_related("unit").order_by("unit__code")
    sheet_list = list(qs)
    reviews: dict[int, list[Any]] = defaultdict(list)
    if scores_ready(midterm):
        found = Review.objects.filter(  # scoping: ok the caller checked the round or sheet
            submission__in=[s.pk for s in sheet_list]
        )
        for review in found:
            reviews[review.submission_id].append(review)
    issued: dict[int, dict[str, int | None]] = defaultdict(dict)
    items = GapItem.objects.filter(  # scoping: ok the caller checked the round or sheet
        midterm=midterm, unit_id__in=[s.unit_id for s in sheet_list]
    )
    for unit_id, code, item_id in items.values_list("unit_id", "indicator_code", "item_id"):
        issued[unit_id][code] = item_id
    rows = []
    for sheet in sheet_list:
        mine = reviews.get(sheet.pk, [])
        report = _report(midterm, standard, sheet, mine) if mine else None
        rows.append(SchoolGaps(sheet, sheet.unit, report, len(mine), issued.get(sheet.unit_id, {})))
    return rows


def progress(midterm: MidtermRound) -> dict[str, int]:
    """Sheets submitted and scored, for the round page."""
    sheets = midterm.campaign.sheets.all()
    submitted = sheets.filter(status__in=sorted(SUBMITTED))
    scored = (
        Review.objects.filter(submission__in=submitted).values("submission").distinct()
    )  # scoping: ok
    return {
        "invited": sheets.count(),
        "submitted": submitted.count(),
        "scored": scored.count(),
        "reviews": Review.objects.filter(submission__round=midterm.campaign).count(),  # scoping: ok
        "issued": midterm.items.count(),
    }


def matrix(rows: list[SchoolGaps]) -> dict[str, Any]:
    """The programme-wide table: schools x indicators, each cell the gap (0 when none), with the
    indicators ordered by their summed gap (the weakest first) and a per-indicator count."""
    scored = [r for r in rows if r.report is not None]
    if not scored:
        return {"indicators": [], "rows": [], "max": 0}
    first = scored[0].report.indicators
    totals = {g.code: 0.0 for g in first}
    counts = {g.code: 0 for g in first}
    for row in scored:
        for g in row.report.indicators:
            totals[g.code] += g.gap
            counts[g.code] += g.gap > 0
    order = sorted(first, key=lambda g: (-totals[g.code], [x.code for x in first].index(g.code)))
    indicators = [
        {
            "code": g.code,
            "name": g.name,
            "max": g.max_score,
            "total": round(totals[g.code], 2),
            "count": counts[g.code],
        }
        for g in order
    ]
    top = max((g.gap for r in scored for g in r.report.indicators), default=0)
    table = []
    for row in scored:
        by_code = {g.code: g for g in row.report.indicators}
        cells = []
        for ind in indicators:
            g = by_code[ind["code"]]
            level = 0 if g.gap <= 0 or top <= 0 else min(4, 1 + int(3 * g.gap / top))
            cells.append({"gap": g.gap, "score": g.score, "level": level, "code": g.code})
        table.append({"school": row, "cells": cells})
    return {"indicators": indicators, "rows": table, "max": top}
