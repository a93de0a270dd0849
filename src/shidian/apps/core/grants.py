"""Reads for the grants page: the grants a person may see, with their targets named."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from shidian.apps.core.models import Grant

STATES = ("active", "future", "ended", "revoked")


def grants_for(*, viewer: Any, state: str = "active", role: str = "", q: str = "") -> QuerySet:
    today = timezone.localdate()
    grants = Grant.objects.restrict(viewer).select_related("user", "unit", "granted_by")
    if state == "active":
        grants = grants.active(on=today)
    elif state == "future":
        grants = grants.filter(revoked_at__isnull=True, starts_on__gt=today)
    elif state == "ended":
        grants = grants.filter(revoked_at__isnull=True, ends_on__lt=today)
    elif state == "revoked":
        grants = grants.filter(revoked_at__isnull=False)
    if role:
        grants = grants.filter(role=role)
    if q:
        grants = grants.filter(
            Q(user__username__icontains=q) | Q(user__full_name__icontains=q) | Q(note__icontains=q)
        )
    return grants.order_by("-created_at")


def name_targets(grants: list[Grant]) -> None:
    """Set ``target_name`` and ``target_kind`` on each grant: one query per target model."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for grant in grants:
        wanted[grant.target_type].add(grant.target_id)
    names: dict[tuple[str, int], str] = {}
    kinds: dict[str, str] = {}
    for label, pks in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        kinds[label] = str(model._meta.verbose_name)
        # scoping: ok (the grants were restricted; this only names what they point at)
        for obj in model._default_manager.filter(pk__in=pks):
            names[(label, obj.pk)] = str(obj)
    for grant in grants:
        grant.target_kind = kinds.get(grant.target_type, grant.target_type)
        grant.target_name = names.get((grant.target_type, grant.target_id), f"#{grant.target_id}")
