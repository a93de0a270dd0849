"""Reads owned by the core app: the audit log and what the home page shows for each role."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from shidian.apps.core.models import AuditEvent


def audit_events(
    *,
    viewer: Any,
    target: models.Model | None = None,
    action: str = "",
    q: str = "",
) -> QuerySet[AuditEvent]:
    """Audit events of the viewer's subtree, newest first."""
    qs = AuditEvent.objects.restrict(viewer).select_related("actor", "unit")
    if target is not None:
        qs = qs.filter(target_type=target._meta.label, target_id=str(target.pk))
    if action:
        qs = qs.filter(action=action)
    if q:
        qs = qs.filter(
            models.Q(summary__icontains=q)
            | models.Q(actor__username__icontains=q)
            | models.Q(actor__full_name__icontains=q)
            | models.Q(unit__name__icontains=q)
        )
    return qs.order_by("-created_at", "-pk")


def maybe_url(name: str, **kwargs: Any) -> str | None:
    """The URL of a page another app may not have built yet (None until it exists)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


@dataclass
class HomeData:
    """What core/home.html needs; ``kind`` picks the section: office, zone, school, expert."""

    kind: str
    unit: Any = None
    summary: Any = None
    accounts: dict[str, int] | None = None
    events: list[Any] = field(default_factory=list)
    schools: list[Any] = field(default_factory=list)
    links: dict[str, str | None] = field(default_factory=dict)
    reviews: dict[str, Any] | None = None  # expert: assignments to do and counts


ZONE_SCHOOL_LIMIT = 200
HOME_REVIEW_LIMIT = 20


def home_data(*, user: Any) -> HomeData:
    """Pick the home page for the user's role; every read is limited to their subtree."""
    from shidian.apps.accounts.models import Role
    from shidian.apps.accounts.selectors import account_counts
    from shidian.apps.core.access import MANAGE, may
    from shidian.apps.orgs import selectors as org_selectors
    from shidian.apps.orgs.models import OrgUnit

    unit = user.unit
    if unit is None:
        return HomeData(kind="none")
    links = {
        "units": maybe_url("orgs:list"),
        "unit": maybe_url("orgs:detail", unit_id=unit.pk),
        "password_change": maybe_url("accounts:password_change"),
    }
    if may(user, MANAGE):
        links.update(
            accounts=maybe_url("accounts:list"),
            invite=maybe_url("accounts:invite"),
            invitations=maybe_url("accounts:invitations"),
            audit=maybe_url("core:audit"),
        )
        return HomeData(
            kind="office",
            unit=unit,
            summary=org_selectors.unit_summary(unit=unit),
            accounts=account_counts(viewer=user, unit=unit),
            events=list(audit_events(viewer=user)[:8]),
            links=links,
        )
    if user.role == Role.ZONE:
        schools = list(
            OrgUnit.objects.restrict(user).schools().order_by("path")[:ZONE_SCHOOL_LIMIT]
        )
        for school in schools:
            school.url = maybe_url("orgs:detail", unit_id=school.pk)
        return HomeData(
            kind="zone",
            unit=unit,
            summary=org_selectors.unit_summary(unit=unit),
            schools=schools,
            links=links,
        )
    if user.role in {Role.COORDINATOR, Role.COMMUNITY_LEAD}:
        return HomeData(kind="school", unit=unit, links=links)
    # experts, and anyone else with a unit: their review assignments, their unit
    from shidian.apps.campaigns.selectors import review_overview

    links["my_reviews"] = maybe_url("campaigns:my_reviews")
    return HomeData(
        kind="expert",
        unit=unit,
        summary=org_selectors.unit_summary(unit=unit),
        links=links,
        reviews=review_overview(user=user, limit=HOME_REVIEW_LIMIT),
    )
