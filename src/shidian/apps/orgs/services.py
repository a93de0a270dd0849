"""Writes to the organisation tree."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.scoping import scope_root, sees_everything
from shidian.apps.core.services import audit_record
from shidian.apps.orgs import paths
from shidian.apps.orgs.models import Level, OrgUnit


class UnitMoveError(ValidationError):
    """A move that would break the tree (a cycle) or leave the actor's subtree."""


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


@transaction.atomic
def unit_move(
    *, unit: OrgUnit, new_parent: OrgUnit, actor: Any, audit: bool = True, request: Any = None
) -> OrgUnit:
    """Make ``unit`` the last child of ``new_parent``, carrying its whole subtree along.

    The subtree's paths are rewritten by ONE UPDATE (new prefix || the rest of each old path),
    so moving a county of 700 units or a province of 20,000 costs one statement, not a walk.
    """
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    new_parent = OrgUnit.objects.get(pk=new_parent.pk)
    if actor is not None and not sees_everything(actor):
        root = scope_root(actor)
        visible = OrgUnit.objects.restrict(actor)
        if root is None or not visible.filter(pk=new_parent.pk).exists():
            raise PermissionDenied
        if unit.pk == root.pk or not visible.filter(pk=unit.pk).exists():
            raise UnitMoveError(_("不能移动您自己的单位或权限范围外的单位。"))
    if new_parent.pk == unit.pk or new_parent.is_within(unit):
        raise UnitMoveError(
            _("不能把“%(unit)s”移到它自己的下级单位“%(parent)s”之下：这会形成循环。")
            % {"unit": unit.name, "parent": new_parent.name}
        )
    if unit.parent_id == new_parent.pk:
        return unit
    old_path, old_parent_id = unit.path, unit.parent_id
    new_path = next_child_path(new_parent)
    if len(new_path) + _deepest_suffix(unit) > 255:
        raise UnitMoveError(_("移动后层级过深。"))
    shift = paths.depth_of(new_path) - unit.depth
    OrgUnit.objects.subtree(unit).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + shift,
    )
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent, updated_at=timezone.now())
    # Schools that followed their old zone now belong to the zone they moved into.
    old_zone, new_zone = _zone_of(old_parent_id), _zone_of(new_parent.pk)
    if old_zone != new_zone and old_zone is not None:
        OrgUnit.objects.filter(
            path__gte=new_path, path__lt=paths.subtree_upper_bound(new_path), zone_id=old_zone
        ).update(zone_id=new_zone)
    unit.refresh_from_db()
    if audit:
        audit_record(
            actor=actor,
            action="orgs.move",
            target=unit,
            summary=f"{unit.code} → {new_parent.code}",
            data={"from_parent": old_parent_id, "to_parent": new_parent.pk, "old_path": old_path},
            request=request,
        )
    return unit


def _zone_of(unit_id: int | None) -> int | None:
    """The nearest zone at or above a unit (a zone's schools may sit below a central school)."""
    if unit_id is None:
        return None
    unit = OrgUnit.objects.get(pk=unit_id)
    if unit.level == Level.ZONE:
        return unit.pk
    zone = unit.ancestors().filter(level=Level.ZONE).order_by("-depth").first()
    return zone.pk if zone else None


def _deepest_suffix(unit: OrgUnit) -> int:
    longest = OrgUnit.objects.subtree(unit).order_by("-depth").values_list("depth", flat=True)[:1]
    return (longest[0] - unit.depth) * paths.SEGMENT_WIDTH if longest else 0
