"""Reads of the organisation tree. Every function takes what the user may see, never more."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Value, When

from shidian.apps.core.scoping import scope_root, sees_everything
from shidian.apps.orgs import paths
from shidian.apps.orgs.models import Level, Locality, OrgUnit, OrgUnitQuerySet, SchoolType
from shidian.textclean import clean_text


@dataclass(frozen=True)
class TypeCount:
    school_type: str
    label: str
    count: int


@dataclass(frozen=True)
class UnitSummary:
    unit: OrgUnit
    schools: int
    by_type: list[TypeCount]


@dataclass(frozen=True)
class Crumb:
    unit: OrgUnit
    visible: bool  # inside the user's scope: shown as a link


def _ordered_counts(counts: dict[str, int], choices: Any) -> list[TypeCount]:
    labels = dict(choices.choices)
    keys = [c for c in choices.values if c in counts] + [k for k in counts if k not in labels]
    return [TypeCount(k, str(labels.get(k, k or "-")), counts[k]) for k in keys]


def counts_by_school_type(*, unit: OrgUnit) -> list[TypeCount]:
    """Schools under ``unit`` per school type, one grouped query on the (level, path) index."""
    rows = (
        OrgUnit.objects.subtree(unit)
        .filter(level=Level.SCHOOL)
        .values("school_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _ordered_counts({row["school_type"]: row["n"] for row in rows}, SchoolType)


def counts_by_locality(*, unit: OrgUnit) -> list[TypeCount]:
    rows = (
        OrgUnit.objects.subtree(unit)
        .filter(level=Level.SCHOOL)
        .values("locality")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _ordered_counts({row["locality"]: row["n"] for row in rows}, Locality)


def unit_summary(*, unit: OrgUnit) -> UnitSummary:
    by_type = counts_by_school_type(unit=unit)
    return UnitSummary(unit=unit, schools=sum(t.count for t in by_type), by_type=by_type)


def unit_search(*, user: Any, filters: dict[str, Any]) -> OrgUnitQuerySet:
    """Units the user may see, narrowed by the list page's filters (all optional)."""
    qs = OrgUnit.objects.restrict(user).select_related("zone", "parent")
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__istartswith=q))
    for key in ("level", "school_type", "locality"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    under = filters.get("under")
    if under is not None:
        qs = qs.filter(path__gte=under.path, path__lt=paths.subtree_upper_bound(under.path))
    zone = filters.get("zone")
    if zone is not None:
        # A zone's schools: those in its subtree or attached to it by the zone field.
        qs = qs.filter(
            Q(path__gte=zone.path, path__lt=paths.subtree_upper_bound(zone.path)) | Q(zone=zone)
        ).exclude(pk=zone.pk)
    return qs.order_by("path")


def zones_for(user: Any) -> OrgUnitQuerySet:
    return OrgUnit.objects.restrict(user).filter(level=Level.ZONE).order_by("path")


def breadcrumbs(*, unit: OrgUnit, user: Any) -> list[Crumb]:
    """The unit's ancestors, root first; only those inside the user's scope become links."""
    everything = sees_everything(user)
    root = scope_root(user)
    return [
        Crumb(a, everything or (root is not None and a.is_within(root))) for a in unit.ancestors()
    ]


def unit_children(*, unit: OrgUnit) -> OrgUnitQuerySet:
    return unit.children.annotate(n_children=Count("children")).order_by("path")


def subtree_size(*, unit: OrgUnit) -> int:
    return OrgUnit.objects.subtree(unit, include_self=False).count()


# --- the unit picker (orgs/picker.py) ----------------------------------------------------------

PICK_SEPARATORS = re.compile(r"[\s/›>＞、,，]+")
ANCESTORS_SHOWN = 3  # the nearest ones tell 第一小学 of two districts apart


@dataclass(frozen=True)
class PickHit:
    unit: OrgUnit
    ancestors: list[str]  # names, nearest last

    @property
    def label(self) -> str:
        return " › ".join([*self.ancestors, self.unit.name])


def ancestor_names(units: Iterable[OrgUnit | None]) -> dict[int, list[str]]:
    """The names of each unit's nearest ancestors (root side first), in one query."""
    units = [u for u in units if u is not None]
    wanted = {u.pk: paths.ancestor_paths(u.path)[-ANCESTORS_SHOWN:] for u in units}
    all_paths = {p for ps in wanted.values() for p in ps}
    names = dict(OrgUnit.objects.filter(path__in=all_paths).values_list("path", "name"))
    return {pk: [names[p] for p in ps if p in names] for pk, ps in wanted.items()}


def _within_any(units: list[OrgUnit]) -> Q:
    q = Q(pk__in=[])
    for unit in units:
        q |= Q(path__gt=unit.path, path__lt=paths.subtree_upper_bound(unit.path))
    return q


def unit_pick(
    *, user: Any, q: str, levels: Iterable[str] = (), limit: int = 20
) -> tuple[list[PickHit], bool]:
    """Units the user may see matching ``q``, best first, and whether there were more.

    One word matches a unit's name (anywhere) or code (prefix). Several words are a path:
    "甲县 第一小学" is a unit matching the last word under units matching each earlier one.
    """
    terms = [t for t in PICK_SEPARATORS.split(clean_text(q or "")) if t][:4]
    if not terms:
        return [], False
    scoped = OrgUnit.objects.restrict(user).filter(is_active=True)
    last = terms[-1][:64]
    qs = scoped.filter(Q(name__icontains=last) | Q(code__istartswith=last))
    levels = [lv for lv in levels if lv in Level.values]
    if levels:
        qs = qs.filter(level__in=levels)
    for term in terms[:-1]:
        term = term[:64]
        above = list(
            scoped.exclude(level=Level.SCHOOL)
            .filter(Q(name__icontains=term) | Q(code__iexact=term))
            .order_by("depth", "path")[:50]
        )
        qs = qs.filter(_within_any(above))
    rank = Case(
        When(code__iexact=last, then=Value(0)),
        When(name__iexact=last, then=Value(1)),
        When(name__istartswith=last, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    found = list(qs.annotate(rank=rank).order_by("rank", "depth", "path")[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    names = ancestor_names(found)
    return [PickHit(unit, names[unit.pk]) for unit in found], more
