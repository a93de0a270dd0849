"""Insert a whole tree of new units at once: paths assigned in memory, one bulk_create per depth.

Used by the demo generator and the benchmarks; the import uses the same idea with its own plan.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Max

from shidian.apps.orgs import paths
from shidian.apps.orgs.models import OrgUnit


@transaction.atomic
def bulk_insert_tree(
    nodes: list[dict[str, Any]], *, root: OrgUnit | None = None, batch_size: int = 2000
) -> dict[str, int]:
    """Create ``nodes`` (dicts of OrgUnit fields plus ``parent``: a node code, or None for
    ``root``; optional ``zone``: a zone node's code), parents listed before children.

    Returns code -> id of the created units.
    """
    ids: dict[str, int] = {}
    unit_paths: dict[str, str] = {}
    counters: dict[str | None, int] = defaultdict(int)
    base_path = root.path if root else ""
    last = (
        OrgUnit.objects.subtree(root, include_self=False).filter(depth=root.depth + 1)
        if root
        else OrgUnit.objects.filter(depth=1)
    ).aggregate(m=Max("path"))["m"]
    counters[None] = paths.last_segment(last) if last else 0
    by_depth: dict[int, list[OrgUnit]] = defaultdict(list)
    zones: dict[str, str] = {}
    for node in nodes:
        node = dict(node)
        parent = node.pop("parent", None)
        zone = node.pop("zone", None)
        counters[parent] += 1
        path = paths.child_path(unit_paths[parent] if parent else base_path, counters[parent])
        unit_paths[node["code"]] = path
        unit = OrgUnit(path=path, depth=paths.depth_of(path), **node)
        unit._parent_code = parent  # type: ignore[attr-defined]
        if zone:
            zones[node["code"]] = zone
        by_depth[unit.depth].append(unit)
    unresolved: list[str] = []
    for depth in sorted(by_depth):
        level = by_depth[depth]
        for unit in level:
            parent = unit._parent_code  # type: ignore[attr-defined]
            unit.parent_id = ids[parent] if parent else (root.pk if root else None)
            if unit.code in zones:
                unit.zone_id = ids.get(zones[unit.code])
                if unit.zone_id is None:
                    unresolved.append(unit.code)
        for created in OrgUnit.objects.bulk_create(level, batch_size=batch_size):
            ids[created.code] = created.pk
    late = [OrgUnit(pk=ids[c], zone_id=ids[zones[c]]) for c in unresolved if zones[c] in ids]
    if late:
        OrgUnit.objects.bulk_update(late, ["zone"], batch_size=batch_size)
    return ids
