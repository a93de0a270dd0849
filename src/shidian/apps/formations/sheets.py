"""XLSX export/import of a formation's membership: unit code (text), community number, lead flag."""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from shidian.apps.core.access import MANAGE, require
from shidian.apps.formations.models import Formation

YES = {"1", "是", "y", "yes", "true", "牵头"}


def export_xlsx(formation: Formation, assignment: dict) -> bytes:
    from shidian.apps.orgs.models import OrgUnit

    units = OrgUnit.objects.in_bulk(assignment["unit_ids"])  # scoping: ok formation's units
    leads = set(assignment.get("leads") or [])
    wb = Workbook()
    ws = wb.active
    ws.title = "members"
    ws.append([_("学校代码"), _("学校名称"), _("共同体序号"), _("是否牵头校")])
    rows = sorted(
        zip(assignment["unit_ids"], assignment["labels"], strict=True), key=lambda r: (r[1], r[0])
    )
    for pk, g in rows:
        unit = units.get(pk)
        if unit is None:
            continue
        ws.append([unit.code, unit.name, int(g) + 1, _("是") if pk in leads else ""])
        ws.cell(ws.max_row, 1).number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def parse_xlsx(formation: Formation, data: bytes) -> dict:
    """An assignment from an uploaded sheet; ValidationError lists row-numbered problems."""
    from shidian.apps.formations.inputs import units_of

    try:
        ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the person's input
        raise ValidationError(_("无法读取该文件，请上传 .xlsx 格式的名单。"), code="xlsx") from exc
    units = {u.code: u for u in units_of(formation)}
    k = int((formation.params or {}).get("n_groups") or 0)
    errors: list[str] = []
    seen: dict[str, int] = {}
    labels: dict[int, int] = {}
    leads: dict[int, int] = {}
    for row_no, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if not row or all(v in (None, "") for v in row):
            continue
        code = str(row[0] if row[0] is not None else "").strip()
        if code.endswith(".0"):
            code = code[:-2]
        number = row[2] if len(row) > 2 else None
        lead = str(row[3] if len(row) > 3 and row[3] is not None else "").strip().lower()
        if code not in units:
            errors.append(
                _("第 %(row)s 行：学校代码 %(code)s 不在本次组建范围内。")
                % {"row": row_no, "code": code}
            )
            continue
        if code in seen:
            errors.append(
                _("第 %(row)s 行：学校 %(code)s 与第 %(first)s 行重复。")
                % {"row": row_no, "code": code, "first": seen[code]}
            )
            continue
        seen[code] = row_no
        try:
            g = int(float(number))
        except (TypeError, ValueError):
            g = 0
        if not 1 <= g <= k:
            errors.append(
                _("第 %(row)s 行：共同体序号须在 1 到 %(k)s 之间。") % {"row": row_no, "k": k}
            )
            continue
        labels[units[code].pk] = g - 1
        if lead in YES:
            if g - 1 in leads:
                errors.append(
                    _("第 %(row)s 行：第 %(g)s 共同体已有牵头校。") % {"row": row_no, "g": g}
                )
                continue
            leads[g - 1] = units[code].pk
    missing = [c for c, u in units.items() if u.pk not in labels]
    if missing and not errors:
        errors.append(_("名单缺少以下学校：%(codes)s") % {"codes": "、".join(missing[:10])})
    no_lead = [str(g + 1) for g in range(k) if g not in leads]
    if no_lead and not errors:
        errors.append(_("以下共同体没有牵头校：%(groups)s") % {"groups": "、".join(no_lead)})
    if errors:
        raise ValidationError(errors, code="xlsx_rows")
    ids = sorted(labels)
    return {
        "unit_ids": ids,
        "labels": [labels[i] for i in ids],
        "leads": [leads[g] for g in range(k)],
    }


def import_xlsx(*, by: Any, formation: Formation, data: bytes) -> Formation:
    """Replace the draft by the sheet (checked against the hard constraints)."""
    from django.db import transaction

    from shidian.apps.core.services import audit_record
    from shidian.apps.formations.services import panel_of

    require(by, MANAGE, formation)
    assignment = parse_xlsx(formation, data)
    panel, _inputs = panel_of(formation, assignment)
    s = panel.summary()
    p = formation.params or {}
    problems = []
    if p.get("max_km") is not None and s.worst_km is not None and s.worst_km > p["max_km"] + 1e-6:
        problems.append(
            _("有学校与牵头校的距离超过 %(km)s 公里（最远 %(worst).1f 公里）。")
            % {"km": p["max_km"], "worst": s.worst_km}
        )
    for a, b in panel.partners.items():
        for j in b:
            if a < j and panel.labels[a] == panel.labels[j]:
                problems.append(
                    _("须分开的学校 %(a)s 与 %(b)s 在同一共同体。")
                    % {"a": panel.item_names[a], "b": panel.item_names[j]}
                )
    if problems:
        raise ValidationError(problems, code="xlsx_constraints")
    with transaction.atomic():
        formation.draft = assignment
        formation.save(update_fields=["draft", "updated_at"])
        audit_record(
            actor=by,
            action="formations.import",
            target=formation,
            unit=formation.owner_unit,
            summary=str(len(assignment["unit_ids"])),
        )
    return formation
