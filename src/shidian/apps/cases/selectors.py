"""Reads of the case library: the search and the pages' lists.

The search is an AND over the query's words. Each word's cases come from the index
``(term, case, weight)`` alone; the words are read rarest first (``CaseTermStat``), and once
few candidates are left the next words are read only for them. The score is BM25-like: a
saturated weight times the word's rarity. Filters and access narrow the candidates with one
query (by id when few are left, else the visible ids as a set).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from shidian.apps.cases import text
from shidian.apps.cases.kinds import KIND
from shidian.apps.cases.models import Case, CaseTerm, CaseTermStat
from shidian.apps.core.access import FILL, MANAGE, VIEW
from shidian.apps.submissions.models import Round, Submission

PER_PAGE = 20
NARROW = 2000  # at most this many candidates: read the next word for them only
K1 = 1.2


@dataclass
class SearchPage:
    cases: list[Case]
    total: int
    page: int
    pages: int
    terms: list[str] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def visible_cases(user: Any, *, programme_id=None, subject="", school_type="", theme=""):
    qs = Case.objects.restrict(user, VIEW)
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    if subject:
        qs = qs.filter(subject=subject)
    if school_type:
        qs = qs.filter(school_type=school_type)
    if theme:
        qs = qs.filter(theme=theme)
    return qs


def _term_rows(term: str, among: set[int] | None) -> dict[int, float]:
    rows = CaseTerm.objects.filter(term=term)
    if among is not None:
        rows = rows.filter(case_id__in=list(among))
    return dict(rows.values_list("case_id", "weight"))


def _matches(terms: list[str]) -> dict[int, float]:
    """{case id: score} of the cases holding every term."""
    counts = dict(CaseTermStat.objects.filter(term__in=terms).values_list("term", "cases"))
    if any(counts.get(t, 0) <= 0 for t in terms):
        return {}
    total = max(CaseTermStat.objects.order_by("-cases").values_list("cases", flat=True)[:1] or [1])
    scores: dict[int, float] | None = None
    for term in sorted(terms, key=lambda t: counts[t]):
        idf = math.log(1 + (max(total, counts[term]) - counts[term] + 0.5) / (counts[term] + 0.5))
        among = set(scores) if scores is not None and len(scores) <= NARROW else None
        rows = _term_rows(term, among)
        if scores is None:
            scores = {c: idf * w * (K1 + 1) / (w + K1) for c, w in rows.items()}
        else:
            scores = {
                c: s + idf * rows[c] * (K1 + 1) / (rows[c] + K1)
                for c, s in scores.items()
                if c in rows
            }
        if not scores:
            return {}
    return scores or {}


def search(
    user: Any,
    query: str,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    programme_id=None,
    subject: str = "",
    school_type: str = "",
    theme: str = "",
) -> SearchPage:
    terms = text.query_terms(query)
    base = visible_cases(
        user, programme_id=programme_id, subject=subject, school_type=school_type, theme=theme
    )
    if not terms:
        total = base.count()
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, page), pages)
        rows = list(
            base.select_related("unit").order_by("-published_at", "-pk")[
                (page - 1) * per_page : page * per_page
            ]
        )
        return SearchPage(rows, total, page, pages, [])
    scores = _matches(terms)
    if scores:
        if len(scores) <= NARROW:
            keep = set(base.filter(pk__in=list(scores)).values_list("pk", flat=True))
        else:
            keep = set(base.values_list("pk", flat=True))
        scores = {c: s for c, s in scores.items() if c in keep}
    total = len(scores)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], -kv[0]))
    ids = [c for c, _s in ranked[(page - 1) * per_page : page * per_page]]
    shown = Case.objects.filter(pk__in=ids)  # scoping: ok the ids are of the visible set
    found = {c.pk: c for c in shown.select_related("unit")}
    return SearchPage([found[i] for i in ids if i in found], total, page, pages, terms)


def case_calls(user: Any, programme: Any):
    return (
        Round.objects.restrict(user, MANAGE)
        .filter(programme=programme, kind=KIND)
        .order_by("-created_at")
    )


def my_case_submissions(user: Any):
    """The case submissions the user's school may fill (open calls first)."""
    return (
        Submission.objects.restrict(user, FILL)
        .filter(round__kind=KIND)
        .select_related("round", "round__programme")
        .order_by("-round__created_at")
    )


def reviewing(user: Any):
    """Case submissions sent to this expert."""
    from shidian.apps.core.access import REVIEW

    return (
        Submission.objects.restrict(user, REVIEW)
        .filter(round__kind=KIND, case_review__isnull=False)
        .select_related("round", "unit")
        .order_by("-case_review__sent_at")
    )
