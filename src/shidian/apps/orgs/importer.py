"""The dry run of a units import: what each row would create, change or why it is rejected.

Reads the database, never writes. ``build_plan`` is called twice: for the preview and again at
confirmation, so a plan is never applied against a database that changed in between.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from shidian.apps.core.scoping import scope_root, sees_everything
from shidian.apps.orgs import paths
from shidian.apps.orgs.models import Level, OrgUnit
from shidian.apps.orgs.unitrows import CleanRow, RawRow, clean_row

ATTRIBUTES = (
    "name",
    "level",
    "school_type",
    "locality",
    "address",
    "latitude",
    "longitude",
    "students",
    "teachers",
    "classes",
    "classrooms",
    "has_fibre",
    "multimedia_classrooms",
)
# Text the model stores, checked against its max_length before anything is written: SQLite would
# store a longer value silently and PostgreSQL refuse it mid-import.
MAX_LENGTHS = {key: OrgUnit._meta.get_field(key).max_length for key in ("code", "name", "address")}
LEVEL_RANK = {Level.PROVINCE: 0, Level.CITY: 1, Level.COUNTY: 2, Level.ZONE: 3, Level.SCHOOL: 4}
CHUNK = 2000


@dataclass
class RowPlan:
    line: int
    code: str
    name: str
    action: str = "unchanged"  # create | update | unchanged | error
    parent: str = ""  # the final parent code
    level: str = ""
    school_type: str = ""
    zone: str | None = None  # the final zone code; None when the file leaves it alone
    values: dict[str, Any] = field(default_factory=dict)
    changes: list[list[Any]] = field(default_factory=list)  # [key, old, new]
    errors: list[list[Any]] = field(default_factory=list)  # [problem code, params]
    moves: bool = False
    depth: int = 0

    def reject(self, problem: str, /, **params: Any) -> None:
        self.errors.append([problem, params])
        self.action = "error"

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "code": self.code,
            "name": self.name,
            "action": self.action,
            "parent": self.parent,
            "level": self.level,
            "school_type": self.school_type,
            "changes": self.changes,
            "errors": self.errors,
        }


@dataclass
class Existing:
    id: int
    code: str
    path: str
    depth: int
    level: str
    zone_id: int | None
    attrs: dict[str, Any]


@dataclass
class Plan:
    rows: list[RowPlan]
    existing: dict[str, Existing]
    zone_ids: dict[str, int]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("create", "update", "unchanged", "error")}

    @property
    def has_errors(self) -> bool:
        return any(r.action == "error" for r in self.rows)

    def as_json(self) -> list[dict[str, Any]]:
        return [r.as_json() for r in self.rows]

    @property
    def digest(self) -> str:
        text = json.dumps(self.as_json(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _chunks(items: list[str]):
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _load(codes: set[str]) -> tuple[dict[str, Existing], dict[str, str]]:
    """Units with these codes, and code-by-path for them and all their ancestors."""
    found: dict[str, Existing] = {}
    for part in _chunks(sorted(codes)):
        for u in OrgUnit.objects.filter(code__in=part).values(
            "id", "code", "path", "depth", "level", "zone_id", *ATTRIBUTES
        ):
            attrs = {k: u[k] for k in ATTRIBUTES}
            found[u["code"]] = Existing(
                u["id"], u["code"], u["path"], u["depth"], u["level"], u["zone_id"], attrs
            )
    code_at = {e.path: e.code for e in found.values()}
    wanted = sorted(
        {a for e in found.values() for a in paths.ancestor_paths(e.path)} - set(code_at)
    )
    for part in _chunks(wanted):
        for path, code in OrgUnit.objects.filter(path__in=part).values_list("path", "code"):
            code_at[path] = code
    return found, code_at


def build_plan(raw_rows: list[RawRow], columns: list[str], *, user: Any) -> Plan:
    rows = [clean_row(r, max_lengths=MAX_LENGTHS) for r in raw_rows]
    everything = sees_everything(user)
    root = None if everything else scope_root(user)

    def in_scope(path: str) -> bool:
        return everything or (root is not None and path.startswith(root.path))

    refs = {r.code for r in rows} | {r.values.get("parent_code", "") for r in rows}
    refs |= {r.values.get("zone", "") for r in rows}
    existing, code_at = _load({c for c in refs if c})
    # A row without a parent code keeps its parent, which the checks below (scope, levels,
    # depth) need as much as a parent the file names.
    kept = {code_at.get(e.path[: -paths.SEGMENT_WIDTH]) for e in existing.values()}
    kept -= {None, *existing}
    if kept:
        parents, parent_code_at = _load({c for c in kept if c})
        existing.update(parents)
        code_at.update(parent_code_at)
    zone_ids = _zones_by_code(existing)
    zones_by_name = _zone_names(root, everything)
    existing_zone_code = {v: k for k, v in zone_ids.items()}

    def db_parent(code: str) -> str | None:
        path = existing[code].path if code in existing else None
        return code_at.get(path[: -paths.SEGMENT_WIDTH]) if path else None

    plans = [_row_plan(r, existing) for r in rows]
    first: dict[str, RowPlan] = {}
    lines: dict[str, list[int]] = {}
    for plan in plans:
        if plan.code:
            first.setdefault(plan.code, plan)
            lines.setdefault(plan.code, []).append(plan.line)
    for plan in plans:
        if plan.code and len(lines[plan.code]) > 1:
            plan.reject("duplicate_code", lines=", ".join(map(str, lines[plan.code])))

    # Parents, scope and levels.
    for plan, row in zip(plans, rows, strict=True):
        given = row.values.get("parent_code", "")
        known = plan.code in existing
        plan.parent = given or (db_parent(plan.code) or "" if known else "")
        if known and not in_scope(existing[plan.code].path):
            plan.reject("code_outside_scope", code=plan.code)
            continue
        is_root = root is not None and plan.code == root.code
        if is_root:
            if plan.parent != (db_parent(plan.code) or ""):
                plan.reject("cannot_move_own_unit")
            continue
        if not plan.parent:
            if not everything:
                plan.reject("missing_parent")
        elif plan.parent == plan.code:
            plan.reject("cycle", chain=f"{plan.code} → {plan.code}")
        elif plan.parent not in first:
            if plan.parent not in existing:
                plan.reject("unknown_parent", parent=plan.parent)
            elif not in_scope(existing[plan.parent].path):
                plan.reject("parent_outside_scope", parent=plan.parent)

    def final_parent(code: str) -> str | None:
        if code in first:
            return first[code].parent or None
        return db_parent(code)

    _mark_cycles(plans, final_parent)
    _check_levels(plans, first, existing)
    _resolve_zones(plans, rows, first, existing, zone_ids, zones_by_name, in_scope)
    _order_and_propagate(plans, first, existing, final_parent)
    for plan in plans:
        if plan.action != "error" and plan.code in existing:
            _diff(plan, existing[plan.code], db_parent(plan.code) or "", existing_zone_code)
    return Plan(rows=plans, existing=existing, zone_ids=zone_ids)


def _row_plan(row: CleanRow, existing: dict[str, Existing]) -> RowPlan:
    values = row.values
    current = existing.get(row.code)
    level = values.get("level") or (current.level if current else "")
    plan = RowPlan(
        line=row.line,
        code=row.code,
        name=values.get("name", current.attrs["name"] if current else ""),
        level=level,
        school_type=values.get("school_type", current.attrs["school_type"] if current else ""),
        values={
            k: v for k, v in values.items() if k in ATTRIBUTES and not (k == "level" and not v)
        },
        action="create" if current is None else "unchanged",
    )
    for problem in row.problems:
        plan.reject(problem.code, **problem.params)
    if current is None and not level:
        plan.reject("missing_level")
    if "name" not in values and current is None:
        plan.reject("missing_name")
    return plan


def _zones_by_code(existing: dict[str, Existing]) -> dict[str, int]:
    ids = {e.code: e.id for e in existing.values() if e.level == Level.ZONE}
    zone_pks = {e.zone_id for e in existing.values() if e.zone_id}
    for pk, code in OrgUnit.objects.filter(pk__in=zone_pks).values_list("pk", "code"):
        ids[code] = pk
    return ids


def _zone_names(root, everything: bool) -> dict[str, list[tuple[str, int]]]:
    zones = OrgUnit.objects.filter(level=Level.ZONE)
    if not everything:
        zones = zones.within(root) if root is not None else zones.none()
    names: dict[str, list[tuple[str, int]]] = {}
    for pk, code, name in zones.values_list("pk", "code", "name"):
        names.setdefault(name, []).append((code, pk))
    return names


def _mark_cycles(plans: list[RowPlan], final_parent) -> None:
    for plan in plans:
        if plan.action == "error" or not plan.code:
            continue
        chain, cur = [plan.code], plan.code
        for _ in range(paths.MAX_DEPTH + 2):
            cur = final_parent(cur)
            if cur is None:
                break
            if cur == plan.code:
                plan.reject("cycle", chain=" → ".join([*chain, cur]))
                break
            if cur in chain:
                break  # leads into a cycle of other rows: they are rejected, this row follows
            chain.append(cur)


def _check_levels(plans, first, existing) -> None:
    for plan in plans:
        if plan.action == "error" or not plan.parent or plan.level not in LEVEL_RANK:
            continue
        parent_level = first[plan.parent].level if plan.parent in first else None
        if parent_level is None and plan.parent in existing:
            parent_level = existing[plan.parent].level
        if parent_level not in LEVEL_RANK:
            continue
        child, parent = LEVEL_RANK[plan.level], LEVEL_RANK[parent_level]
        if child < parent or (child == parent and plan.level != Level.SCHOOL):
            plan.reject("bad_level_order", level=plan.level, parent_level=parent_level)


def _resolve_zones(plans, rows, first, existing, zone_ids, zones_by_name, in_scope) -> None:
    for plan, row in zip(plans, rows, strict=True):
        if "zone" not in row.values:
            continue
        ref = row.values["zone"]
        if not ref:
            plan.zone = ""
        elif _is_zone(ref, first, existing, in_scope):
            plan.zone = ref
        else:
            named = {c for c, _pk in zones_by_name.get(ref, [])}
            named |= {p.code for p in first.values() if p.level == Level.ZONE and p.name == ref}
            if len(named) == 1:
                plan.zone = named.pop()
                for code, pk in zones_by_name.get(ref, []):
                    zone_ids.setdefault(code, pk)
            elif named:
                plan.reject("ambiguous_zone", zone=ref)
            else:
                plan.reject("unknown_zone", zone=ref)


def _is_zone(ref: str, first, existing, in_scope) -> bool:
    if ref in first:
        return first[ref].level == Level.ZONE
    unit = existing.get(ref)
    return unit is not None and unit.level == Level.ZONE and in_scope(unit.path)


def _order_and_propagate(plans, first, existing, final_parent) -> None:
    """Give each row its final depth, then reject rows whose parent or zone row is rejected."""
    depth: dict[str, int] = {}

    def depth_of(code: str, guard: int = 0) -> int:
        if code in depth:
            return depth[code]
        if code not in first and code in existing:
            return existing[code].depth
        parent = final_parent(code)
        too_deep = parent is None or guard > paths.MAX_DEPTH
        value = 1 if too_deep else depth_of(parent, guard + 1) + 1
        depth[code] = value
        return value

    for plan in plans:
        plan.depth = depth_of(plan.code) if plan.code and plan.action != "error" else 0
    changed = True
    while changed:
        changed = False
        for plan in sorted(plans, key=lambda p: p.depth):
            if plan.action == "error":
                continue
            parent_row = first.get(plan.parent)
            if parent_row is not None and parent_row.action == "error":
                plan.reject("parent_rejected", parent=plan.parent, line=parent_row.line)
                changed = True
            zone_row = first.get(plan.zone or "")
            if zone_row is not None and zone_row.action == "error":
                plan.reject("zone_rejected", zone=plan.zone, line=zone_row.line)
                changed = True
    for plan in plans:
        if plan.depth > paths.MAX_DEPTH and plan.action != "error":
            plan.reject("too_deep")


def _same(old: Any, new: Any) -> bool:
    if old in (None, "") and new in (None, ""):
        return True
    if isinstance(old, float) or isinstance(new, float):
        return old is not None and new is not None and round(old, 6) == round(new, 6)
    return old == new


def _diff(plan: RowPlan, current: Existing, parent: str, zone_code: dict[int, str]) -> None:
    for key in ATTRIBUTES:  # a fixed order: the plan's digest compares preview and confirmation
        if key not in plan.values:
            continue
        old, new = current.attrs[key], plan.values[key]
        if not _same(old, new):
            plan.changes.append([key, old, new])
    if plan.parent != parent:
        plan.changes.append(["parent_code", parent, plan.parent])
        plan.moves = True
    old_zone = zone_code.get(current.zone_id, "") if current.zone_id else ""
    if plan.zone is not None and plan.zone != old_zone:
        plan.changes.append(["zone", old_zone, plan.zone])
    plan.action = "update" if plan.changes else "unchanged"
