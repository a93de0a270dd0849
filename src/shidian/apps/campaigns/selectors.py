"""Reads for campaigns: what a user may see, completeness, ranking, distributions, weakest items,
self-versus-reviewed gaps. Every figure is computed from sheets restricted to the user, so a
zone sees its own schools only."""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404

from shidian.apps.campaigns.models import (
    SUBMITTED,
    Campaign,
    Review,
    Sheet,
    SheetStatus,
)
from shidian.apps.core.access import REVIEW, VIEW
from shidian.apps.core.access.actions import subtree_actions
from shidian.apps.core.scoping import sees_everything
from shidian.apps.orgs.models import SchoolType


def campaigns_for(*, user) -> QuerySet:
    """Campaigns the user's office owns, plus those inviting units in the user's subtree."""
    own = Campaign.objects.restrict(user).values("pk")
    invited = Sheet.objects.restrict(user).values("round_id")
    return (
        Campaign.objects.filter(Q(pk__in=own) | Q(pk__in=invited))  # scoping: ok restricted
        .select_related("version__standard", "unit")
        .defer("version__data")
        .order_by("-created_at")
    )


def campaign_for(*, user, campaign_id: int) -> Campaign:
    """A campaign the user may see, or 404 (missing and forbidden look the same)."""
    campaign = campaigns_for(user=user).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    return campaign


def sheets_for(*, user, campaign: Campaign) -> QuerySet:
    return Sheet.objects.restrict(user).filter(round=campaign)


def follows(*, user) -> bool:
    """Whether the user follows campaigns through their dashboards (completeness, ranking,
    distributions). Experts do not: what concerns them is their own reviews."""
    return sees_everything(user) or VIEW in subtree_actions(user)


def my_sheets(*, user) -> QuerySet:
    unit_id = getattr(user, "unit_id", None)
    return (
        Sheet.objects.restrict(user)
        .filter(unit_id=unit_id)
        .select_related("round", "round__version__standard")
        .defer("round__version__data")
        .order_by("-round__created_at")
    )


def notifications_for(*, user, limit: int = 10):
    from shidian.apps.notifications.selectors import notifications_for as own

    return own(user=user, limit=limit)


def completeness(*, sheets: QuerySet) -> dict[str, int]:
    counts = dict(sheets.values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in SheetStatus.values}


RANK_FIELDS = (
    "pk",
    "unit_id",
    "unit__name",
    "unit__code",
    "unit__school_type",
    "unit__zone__name",
    "status",
    "total",
    "vetoed",
    "answered",
    "dimension_scores",
)


RANKED = sorted(SUBMITTED)
UNRANKED = [SheetStatus.DRAFT, SheetStatus.RETURNED, SheetStatus.NOT_OPENED]


def ranked(sheets: QuerySet) -> QuerySet:
    """Only submitted sheets are compared: a draft's total is a unit's work in progress (a
    draft at 59.5 with empty dimensions must not stand among finished sheets)."""
    return sheets.filter(status__in=RANKED)


def ranking(*, sheets: QuerySet, offset: int = 0, limit: int | None = 100) -> list[dict]:
    """Submitted sheets ordered by total (vetoed last), with their rank; one query."""
    qs = ranked(sheets).order_by("vetoed", "-total", "unit__code")
    qs = qs.values(*RANK_FIELDS)
    rows = list(qs[offset : offset + limit] if limit else qs)
    labels = dict(SheetStatus.choices)
    for index, row in enumerate(rows, start=offset + 1):
        row["rank"] = index
        row["status_label"] = labels.get(row["status"], row["status"])
    return rows


def unranked_counts(*, counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(status, label, count) of the sheets left out of the ranking, from completeness()."""
    labels = dict(SheetStatus.choices)
    return [(str(s), labels[s], counts.get(s, 0)) for s in UNRANKED]


def unranked_rows(*, sheets: QuerySet) -> list[dict]:
    """Sheets not yet submitted (drafts and returned first), for the export's second sheet."""
    order = {s: i for i, s in enumerate(UNRANKED)}
    rows = list(
        sheets.filter(status__in=UNRANKED)
        .order_by("unit__code")
        .values(
            "unit__code",
            "unit__name",
            "unit__school_type",
            "unit__zone__name",
            "status",
            "answered",
            "updated_at",
        )
    )
    rows.sort(key=lambda r: order[r["status"]])
    return rows


def distribution(*, sheets: QuerySet, by: str) -> list[dict]:
    """Average, minimum and maximum total per school type or per zone (submitted or better)."""
    field = {"type": "unit__school_type", "zone": "unit__zone__name"}[by]
    from django.db.models import Max, Min

    rows = (
        ranked(sheets)
        .values(field)
        .annotate(n=Count("id"), avg=Avg("total"), lo=Min("total"), hi=Max("total"))
        .order_by(field)
    )
    labels = dict(SchoolType.choices)
    out = []
    for row in rows:
        key = row[field] or ""
        out.append(
            {
                "label": str(labels.get(key, key)) if by == "type" else (key or "—"),
                "n": row["n"],
                "avg": round(row["avg"] or 0, 2),
                "min": round(row["lo"] or 0, 2),
                "max": round(row["hi"] or 0, 2),
            }
        )
    return out


def item_averages(*, sheets: QuerySet) -> dict[str, tuple[float, int]]:
    """Average item score over the given sheets, computed in the database by expanding the
    ``scores`` JSON (PostgreSQL jsonb_each_text, SQLite json_each)."""
    ids_sql, params = sheets.values("pk").query.sql_with_params()
    if connection.vendor == "postgresql":
        sql = (
            "SELECT kv.key, AVG(kv.value::float), COUNT(*) FROM campaigns_sheet s "
            "CROSS JOIN LATERAL jsonb_each_text(s.scores) kv "
            f"WHERE s.id IN ({ids_sql}) GROUP BY kv.key"
        )
    else:
        sql = (
            "SELECT j.key, AVG(j.value), COUNT(*) FROM campaigns_sheet s, json_each(s.scores) j "
            f"WHERE s.id IN ({ids_sql}) GROUP BY j.key"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key: (float(avg), int(n)) for key, avg, n in cursor.fetchall()}


def weakest_items(
    *, campaign: Campaign, sheets: QuerySet, limit: int = 15, school_type: str | None = None
) -> list[dict]:
    """Items with the lowest average share of their maximum across submitted sheets (of one
    school type when ``school_type`` is given)."""
    submitted = ranked(sheets)
    if school_type:
        submitted = submitted.filter(unit__school_type=school_type)
    averages = item_averages(sheets=submitted)
    standard = campaign.version.as_standard()
    rows = []
    for dimension, indicator, item in standard.item_paths():
        if item.max_score <= 0 or item.code not in averages:
            continue
        avg, n = averages[item.code]
        rows.append(
            {
                "code": item.code,
                "text": item.text,
                "dimension": dimension.name,
                "indicator": indicator.name,
                "max": item.max_score,
                "avg": round(avg, 2),
                "share": round(avg / item.max_score, 3),
                "n": n,
            }
        )
    rows.sort(key=lambda r: (r["share"], r["code"]))
    return rows[:limit]


def submitted_types(*, sheets: QuerySet) -> list[dict]:
    """The school types among submitted sheets, in the order of SchoolType, with counts."""
    counts = dict(
        ranked(sheets).values_list("unit__school_type").annotate(n=Count("id")).order_by()
    )
    return [
        {"code": code, "label": label, "n": counts[code]}
        for code, label in SchoolType.choices
        if counts.get(code)
    ]


def review_gaps(*, sheet: Sheet, user) -> list[dict]:
    """Per item: the unit's self-score, the reviewed scores ``user`` may see, and the mean gap
    (self - reviewed). Before the office releases the reviews a reviewer sees only their own
    (``Review.objects.restrict``)."""
    reviews = list(Review.objects.restrict(user).filter(submission=sheet))
    standard = sheet.campaign.version.as_standard()
    rows = []
    for item in standard.items():
        scored = [r.item_scores[item.code] for r in reviews if item.code in r.item_scores]
        own = sheet.scores.get(item.code)
        gap = round((own or 0) - sum(scored) / len(scored), 2) if scored else None
        rows.append(
            {
                "code": item.code,
                "text": item.text,
                "max": item.max_score,
                "self": own,
                "reviewed": scored,
                "gap": gap,
            }
        )
    return rows


def gap_summary(*, sheets: QuerySet, user) -> list[dict]:
    """Per school: self total, mean reviewed total, gap; largest over-scoring first. Only the
    reviews ``user`` may see count, so a reviewer's figures never reveal another's score."""
    totals: dict[int, list[float]] = defaultdict(list)
    vetoes: dict[int, int] = defaultdict(int)
    visible = Review.objects.restrict(user).filter(submission__in=sheets)
    for sheet_id, total, vetoed in visible.values_list("submission_id", "total", "vetoed"):
        totals[sheet_id].append(total)
        vetoes[sheet_id] += bool(vetoed)
    if not totals:
        return []
    rows = []
    for sheet in sheets.filter(pk__in=totals).values("pk", "unit__name", "total", "vetoed"):
        reviewed = sum(totals[sheet["pk"]]) / len(totals[sheet["pk"]])
        rows.append(
            {
                "sheet_id": sheet["pk"],
                "unit": sheet["unit__name"],
                "self": sheet["total"],
                "self_vetoed": sheet["vetoed"],
                "reviewed": round(reviewed, 2),
                "vetoes": vetoes[sheet["pk"]],
                "gap": round(sheet["total"] - reviewed, 2),
                "reviews": len(totals[sheet["pk"]]),
            }
        )
    rows.sort(key=lambda r: -r["gap"])
    return rows


def review_assignments(*, user, campaign: Campaign | None = None) -> QuerySet:
    """The sheets ``user`` reviews (those of the campaigns naming them as reviewer, and those their
    expert grants reach), with
    ``scored`` and their own ``my_total``/``my_vetoed``; to do first, submitted before drafts."""
    mine = Review.objects.filter(submission=OuterRef("pk"), reviewer_id=user.pk)  # scoping: ok own
    # Named reviewers are expert grants on the round; a grant on one sheet counts too.
    qs = Sheet.objects.restrict(user, REVIEW)
    if campaign is not None:
        qs = qs.filter(round=campaign)
    return (
        qs.select_related("round", "unit")
        .only(
            "pk",
            "status",
            "total",
            "vetoed",
            "round__name",
            "round__deadline",
            "round__reviews_released_at",
            "unit__name",
            "unit__code",
        )
        .annotate(
            scored=Exists(mine),
            my_total=Subquery(mine.values("total")[:1]),
            my_vetoed=Subquery(mine.values("vetoed")[:1]),
            ready=ExpressionWrapper(Q(status__in=sorted(SUBMITTED)), output_field=BooleanField()),
        )
        .order_by("-round__created_at", "round_id", "scored", "-ready", "unit__code")
    )


def review_overview(*, user, limit: int = 10) -> dict:
    """What the expert's home page shows: the first assignments to do and the counts."""
    assignments = review_assignments(user=user)
    rows = list(assignments[:limit])
    per_campaign = {
        row["round_id"]: row
        for row in assignments.order_by()
        .values("round_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(scored=True)))
    }
    campaigns = []
    # scoping: ok (the ids come from the restricted assignments)
    for campaign in Campaign.objects.filter(pk__in=per_campaign).order_by("deadline"):
        counts = per_campaign[campaign.pk]
        campaigns.append(
            {
                "campaign": campaign,
                "total": counts["total"],
                "done": counts["done"],
                "percent": round(100 * counts["done"] / counts["total"]) if counts["total"] else 0,
                "rows": [r for r in rows if r.round_id == campaign.pk],
            }
        )
    return {
        "rows": rows,
        "campaigns": campaigns,
        "total": sum(c["total"] for c in campaigns),
        "todo": sum(c["total"] - c["done"] for c in campaigns),
    }


def review_progress(*, campaign: Campaign) -> dict:
    """For the campaign's office: how many reviewers, how many reviews so far."""
    return {
        "reviewers": campaign.reviewers.count(),
        "reviews": Review.objects.filter(submission__round=campaign).count(),  # scoping: ok owner
        "released_at": campaign.reviews_released_at,
    }


def totals_median(rows: list[dict]) -> float | None:
    return median([r["total"] for r in rows]) if rows else None


def units_by_status(*, sheets: QuerySet, status: str, offset: int = 0, limit: int = 100):
    return list(
        sheets.filter(status=status)
        .order_by("unit__code")
        .values(
            "pk",
            "unit__name",
            "unit__code",
            "unit__school_type",
            "updated_at",
            "submitted_at",
            "answered",
        )[offset : offset + limit]
    )
