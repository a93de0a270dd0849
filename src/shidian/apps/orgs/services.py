"""Writes to the organisation tree."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from shidian.apps.orgs import paths
from shidian.apps.orgs.models import OrgUnit


def next_child_path(parent: OrgUnit | None) -> str:
    """The path for a new last child of ``parent`` (a new root when ``parent`` is None)."""
    if parent is None:
        siblings = OrgUnit.objects.filter(depth=1)
        prefix = ""
    else:
        siblings = OrgUnit.objects.subtree(parent, include_self=False).filter(
            depth=parent.depth + 1
        )
        prefix = parent.path
    last = siblings.aggregate(m=Max("path"))["m"]
    number = paths.last_segment(last) + 1 if last else 1
    return paths.child_path(prefix, number)


@transaction.atomic
def unit_create(
    *, code: str, name: str, level: str, parent: OrgUnit | None = None, **attrs: Any
) -> OrgUnit:
    """Create one unit as the last child of ``parent``."""
    path = next_child_path(parent)
    return OrgUnit.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=path,
        depth=paths.depth_of(path),
        **attrs,
    )
