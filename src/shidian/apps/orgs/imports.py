"""Services for importing units: the dry run (a stored ImportBatch) and its confirmation."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, may
from shidian.apps.core.scoping import scope_root
from shidian.apps.core.services import audit_record
from shidian.apps.orgs import paths
from shidian.apps.orgs.importer import Plan, RowPlan, build_plan
from shidian.apps.orgs.messages import problem_text
from shidian.apps.orgs.models import ImportBatch, ImportStatus, OrgUnit
from shidian.apps.orgs.services import unit_move
from shidian.apps.orgs.unitfile import read_unit_file
from shidian.apps.orgs.unitrows import COLUMN_KEYS, RawRow

BULK = 1000
PENDING_KEPT = timedelta(days=7)


class UnitImportError(ValidationError):
    """The batch cannot be applied (errors, already applied, or the data changed meanwhile)."""


def _raw_rows(batch: ImportBatch) -> list[RawRow]:
    return [RawRow(line=r["line"], values=r["values"]) for r in batch.rows]


@transaction.atomic
def import_preview(*, actor: Any, filename: str, data: bytes) -> ImportBatch:
    """Read and check the file, plan every row and keep the batch for confirmation.

    Raises :class:`shidian.apps.orgs.unitfile.UnitFileError` when the file is unreadable.
    """
    parsed = read_unit_file(data, filename, max_bytes=settings.UPLOAD_MAX_BYTES)
    # Previews nobody confirmed are not kept forever: they hold a copy of the file's rows.
    ImportBatch.objects.filter(
        status=ImportStatus.PENDING, created_at__lt=timezone.now() - PENDING_KEPT
    ).delete()
    plan = build_plan(parsed.rows, parsed.columns, user=actor)
    return ImportBatch.objects.create(
        unit=scope_root(actor),
        created_by=actor,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        columns=parsed.columns,
        rows=[{"line": r.line, "values": r.values} for r in parsed.rows],
        plan=plan.as_json(),
        plan_digest=plan.digest,
        notes={
            "kind": parsed.kind,
            "sheet": parsed.sheet,
            "ignored_sheets": parsed.ignored_sheets,
            "ignored_columns": parsed.ignored_columns,
            "counts": plan.counts,
        },
    )


def import_apply(*, batch: ImportBatch, actor: Any, request: Any = None) -> dict[str, int]:
    """Re-validate the batch against the database and apply it in one transaction.

    When the plan differs from the one the user confirmed (someone changed the units meanwhile),
    nothing is written: the batch gets the new plan to review and this raises.
    """
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == ImportStatus.APPLIED:
            raise UnitImportError(_("这个文件已经导入过了。"), code="already_applied")
        plan = build_plan(_raw_rows(locked), locked.columns, user=actor)
        if plan.digest == locked.plan_digest:
            if plan.has_errors:
                raise UnitImportError(
                    _("还有被拒绝的行：请修改文件后重新上传。"), code="rows_rejected"
                )
            return _apply_batch(locked, plan, actor, request)
    ImportBatch.objects.filter(pk=batch.pk).update(
        plan=plan.as_json(),
        plan_digest=plan.digest,
        notes={**locked.notes, "counts": plan.counts},
    )
    raise UnitImportError(
        _("预览之后数据已有变化，请核对更新后的预览再确认。"), code="plan_changed"
    )


def _apply_batch(batch: ImportBatch, plan: Plan, actor: Any, request: Any) -> dict[str, int]:
    result = _apply(plan, actor)
    batch.status = ImportStatus.APPLIED
    batch.applied_at = timezone.now()
    batch.result = result
    batch.save(update_fields=["status", "applied_at", "result"])
    audit_record(
        actor=actor,
        action="orgs.import",
        target=batch,
        unit=batch.unit,
        summary=_("导入 %(file)s：新建 %(created)d，修改 %(updated)d")
        % {"file": batch.filename, **result},
        data={"batch": batch.pk, "sha256": batch.sha256, **result},
        request=request,
    )
    return result


def _apply(plan: Plan, actor: Any) -> dict[str, int]:
    ids = {code: e.id for code, e in plan.existing.items()}
    unit_paths = {code: e.path for code, e in plan.existing.items()}
    zone_ids = dict(plan.zone_ids)
    creates = sorted((r for r in plan.rows if r.action == "create"), key=lambda r: r.depth)
    numbers: dict[str, int] = {}
    pending_zone: list[RowPlan] = []
    for depth in sorted({r.depth for r in creates}):
        level = [r for r in creates if r.depth == depth]
        objects = []
        for row in level:
            parent_path = unit_paths.get(row.parent, "") if row.parent else ""
            path = paths.child_path(parent_path, _next_number(row.parent, parent_path, numbers))
            zone_id = zone_ids.get(row.zone) if row.zone else None
            if row.zone and zone_id is None:
                pending_zone.append(row)
            objects.append(
                OrgUnit(
                    code=row.code,
                    parent_id=ids.get(row.parent) if row.parent else None,
                    path=path,
                    depth=paths.depth_of(path),
                    zone_id=zone_id,
                    **_fields(row.values),
                )
            )
        for created in OrgUnit.objects.bulk_create(objects, batch_size=BULK):
            ids[created.code], unit_paths[created.code] = created.pk, created.path
            if created.level == "zone":
                zone_ids[created.code] = created.pk
    if pending_zone:
        late = [OrgUnit(pk=ids[r.code], zone_id=zone_ids[r.zone]) for r in pending_zone]
        OrgUnit.objects.bulk_update(late, ["zone"], batch_size=BULK)

    updates = [r for r in plan.rows if r.action == "update"]
    moved = 0
    for row in sorted((r for r in updates if r.moves), key=lambda r: r.depth):
        unit = OrgUnit.objects.get(pk=ids[row.code])
        unit_move(unit=unit, new_parent=OrgUnit.objects.get(pk=ids[row.parent]), actor=actor)
        moved += 1
        if row.zone is not None:  # the file names the zone: it wins over the move's default
            zone_id = zone_ids.get(row.zone) if row.zone else None
            OrgUnit.objects.filter(pk=ids[row.code]).update(zone_id=zone_id)
    changed = [r for r in updates if any(c[0] not in ("parent_code",) for c in r.changes)]
    if changed:
        objects = OrgUnit.objects.in_bulk([ids[r.code] for r in changed])
        fields: set[str] = set()
        for row in changed:
            unit = objects[ids[row.code]]
            for key, _old, new in row.changes:
                if key == "zone":
                    unit.zone_id = zone_ids.get(new) if new else None
                    fields.add("zone")
                elif key != "parent_code":
                    setattr(unit, key, _fields({key: new})[key])
                    fields.add(key)
        # bulk_update leaves auto_now alone: the stamp (the API's ETag) must move too.
        now = timezone.now()
        for unit in objects.values():
            unit.updated_at = now
        fields.add("updated_at")
        OrgUnit.objects.bulk_update(list(objects.values()), sorted(fields), batch_size=BULK)
    return {
        "created": len(creates),
        "updated": len(updates),
        "moved": moved,
        "unchanged": plan.count("unchanged"),
    }


def _next_number(parent: str, parent_path: str, numbers: dict[str, int]) -> int:
    if parent not in numbers:
        if parent_path:
            last = (
                OrgUnit.objects.filter(
                    path__gt=parent_path,
                    path__lt=paths.subtree_upper_bound(parent_path),
                    depth=paths.depth_of(parent_path) + 1,
                )
                .aggregate(m=Max("path"))
                .get("m")
            )
        else:
            last = OrgUnit.objects.filter(depth=1).aggregate(m=Max("path")).get("m")
        numbers[parent] = paths.last_segment(last) if last else 0
    numbers[parent] += 1
    return numbers[parent]


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    """Model field values: blank text stays '', blank numbers and booleans become None."""
    text = {"name", "level", "school_type", "locality", "address"}
    return {k: (v or "") if k in text else v for k, v in values.items()}


class UnitSaveError(ValidationError):
    """One unit's create or change refused, with the import's reasons (each its problem code)."""


@transaction.atomic
def unit_save(
    *,
    actor: Any,
    cells: dict[str, str],
    unit: OrgUnit | None = None,
    request: Any = None,
) -> OrgUnit:
    """Create a unit (``unit`` None) or change ``unit``, as a one-row units file would.

    ``cells`` are the row's cells by column key (``unitrows.COLUMNS``), as text: the import's
    checks and words apply unchanged (code, parent in the actor's subtree, level under its
    parent, zone, numbers, lengths), an empty cell keeps the stored value and the marker
    ``（清空）`` clears it. Refused with :class:`UnitSaveError` (nothing written); the API's
    unit writes call this. Recorded as ``orgs.create`` / ``orgs.update`` (a move also as
    ``orgs.move``, by :func:`unit_move`).
    """
    if not may(actor, MANAGE):
        raise PermissionDenied
    unknown = set(cells) - set(COLUMN_KEYS) - {"code"}
    if unknown:
        raise ValueError(f"unknown unit columns: {sorted(unknown)}")
    code = unit.code if unit is not None else cells.get("code", "")
    if unit is None and OrgUnit.objects.restrict(actor).filter(code=code).exists():
        raise UnitSaveError(_("代码 %(code)s 已被使用。") % {"code": code}, code="code_taken")
    values = {**cells, "code": code}
    plan = build_plan([RawRow(line=1, values=values)], list(values), user=actor)
    row = plan.rows[0]
    if row.action == "error":
        raise UnitSaveError(
            [UnitSaveError(problem_text(code, params), code=code) for code, params in row.errors]
        )
    if row.action == "unchanged" and unit is not None:
        return unit
    _apply(plan, actor)
    saved = OrgUnit.objects.get(code=code)
    audit_record(
        actor=actor,
        action="orgs.create" if unit is None else "orgs.update",
        target=saved,
        summary=f"{saved.code} {saved.name}",
        data={"changes": row.changes} if unit is not None else {"values": row.values},
        request=request,
    )
    return saved
