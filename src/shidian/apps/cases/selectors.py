"""Reads of the case library: the search and the pages' lists.

The search is an AND over the query's words, one ORM query: a case joins its index rows
``(term, case, weight)`` once per word (``FilteredRelation``, the rarest word first, read by
``CaseTermStat``), each join an index seek; the score is BM25-like (a saturated weight times the
word's rarity); a window gives the match count with the page. What the person may read is
applied as Case's own ``programme_id`` column when it is whole programmes (``_scope``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, FilteredRelation, Max, Q, Value, Window

from shidian.apps.cases import text
from shidian.apps.cases.kinds import KIND
from shidian.apps.cases.models import Case, CaseTermStat
from shidian.apps.core.access import FILL, MANAGE, VIEW, held_grants
from shidian.apps.submissions.models import Round, Submission

PER_PAGE = 20
SCOPE_SECONDS = 60
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
    return _filtered(Case.objects.restrict(user, VIEW), programme_id, subject, school_type, theme)


def _filtered(qs, programme_id, subject, school_type, theme):
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    if subject:
        qs = qs.filter(subject=subject)
    if school_type:
        qs = qs.filter(school_type=school_type)
    if theme:
        qs = qs.filter(theme=theme)
    return qs


_SCOPES: dict[tuple, tuple[float, Q]] = {}


def _scope(user: Any) -> Q:
    """What ``restrict(user, VIEW)`` allows, as a filter on Case's own ``programme_id`` when it
    is a set of whole programmes (the usual case: a county's accounts read the county's cases),
    else as ``pk__in`` the restricted rows. Kept a minute per person, and dropped as soon as a
    case is published or the person's unit, role or grants change (the key holds them)."""
    marker = Case.objects.aggregate(n=Count("pk"), top=Max("pk"))  # scoping: ok a marker
    key = (
        user.pk, user.unit_id, getattr(user, "role", ""), user.is_superuser,
        tuple(sorted(held_grants(user))), marker["n"], marker["top"],
    )  # fmt: skip
    now = time.monotonic()
    found = _SCOPES.get(key)
    if found is not None and now - found[0] < SCOPE_SECONDS:
        return found[1]
    visible = Case.objects.restrict(user, VIEW)
    per = dict(
        visible.order_by()
        .values("programme_id")
        .annotate(n=Count("pk"))
        .values_list("programme_id", "n")
    )
    whole = dict(
        Case.objects.filter(programme_id__in=list(per))  # scoping: ok compared with restrict
        .order_by()
        .values("programme_id")
        .annotate(n=Count("pk"))
        .values_list("programme_id", "n")
    )
    if all(whole.get(p) == n for p, n in per.items()):
        scope = Q(programme_id__in=sorted(per))
    else:
        scope = Q(pk__in=visible.values("pk"))
    if len(_SCOPES) > 1000:
        _SCOPES.clear()
    _SCOPES[key] = (now, scope)
    return scope


def _ranked(base, terms: list[str], counts: dict[str, int], total: int):
    """The cases of ``base`` holding every term, scored, best first, each row with the number
    of matches (a window over the same query). The rarest term leads the joins."""
    order = sorted(terms, key=lambda t: counts[t])
    relations = {
        f"w{i}": FilteredRelation("terms", condition=Q(terms__term=t)) for i, t in enumerate(order)
    }
    qs = base.annotate(**relations)
    score = None
    for i, term in enumerate(order):
        qs = qs.filter(**{f"w{i}__term": term})
        df = counts[term]
        idf = math.log(1 + (max(total, df) - df + 0.5) / (df + 0.5))
        weight = F(f"w{i}__weight")
        part = weight * Value(idf * (K1 + 1)) / (weight + Value(K1))
        score = part if score is None else score + part
    return qs.annotate(score=score, hits=Window(Count("*"))).order_by("-score", "-pk")


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
    if not terms:
        base = visible_cases(
            user, programme_id=programme_id, subject=subject, school_type=school_type, theme=theme
        )
        total = base.count()
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, page), pages)
        rows = list(
            base.select_related("unit").order_by("-published_at", "-pk")[
                (page - 1) * per_page : page * per_page
            ]
        )
        return SearchPage(rows, total, page, pages, [])
    counts = dict(CaseTermStat.objects.filter(term__in=terms).values_list("term", "cases"))
    active = getattr(user, "is_authenticated", False) and user.is_active
    if not active or any(counts.get(t, 0) <= 0 for t in terms):
        return SearchPage([], 0, 1, 1, terms)
    narrowed = Case.objects.all()  # scoping: ok narrowed to restrict(user, VIEW) by _scope
    if not user.is_superuser:
        narrowed = narrowed.filter(_scope(user))
    narrowed = _filtered(narrowed, programme_id, subject, school_type, theme)
    biggest = CaseTermStat.objects.order_by("-cases").values_list("cases", flat=True).first()
    ranked = _ranked(narrowed, terms, counts, biggest or 1)
    page = max(1, page)
    rows = list(ranked.values_list("pk", "hits")[(page - 1) * per_page : page * per_page])
    if not rows and page > 1:  # past the last page: show the last one
        head = list(ranked.values_list("pk", "hits")[:1])
        last = max(1, math.ceil((head[0][1] if head else 0) / per_page))
        rows = list(ranked.values_list("pk", "hits")[(last - 1) * per_page : last * per_page])
        page = last
    total = rows[0][1] if rows else 0
    pages = max(1, math.ceil(total / per_page))
    ids = [pk for pk, _hits in rows]
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
