"""Reading a class list, grouping it with the engine, moving pupils, exporting, deleting."""

from __future__ import annotations

import io
import math
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shidian.apps.classgroups.models import ApartPair, ClassList, Pupil, group_letter
from shidian.apps.core.access import FILL, require
from shidian.apps.core.services import audit_record
from shidian.engine import tables
from shidian.engine.errors import EngineInputError
from shidian.engine.grouping import GroupingSpec, group_items

NAME, GENDER, LEVEL, APART = "姓名", "性别", "等级", "排斥"
LEVELS = {"A": 4, "B": 3, "C": 2, "D": 1}
SPLIT = re.compile(r"[、,，;；\s]+")
MAX_PUPILS = 200


@dataclass
class ParsedPupil:
    row: int
    name: str
    gender: str
    scores: dict[str, float] = field(default_factory=dict)
    level: str = ""
    apart: list[str] = field(default_factory=list)


@dataclass
class ParsedList:
    pupils: list[ParsedPupil]
    subjects: list[str]
    apart: list[tuple[str, str]]


def parse_upload(data: bytes, filename: str, apart_text: str = "") -> ParsedList:
    """The class list in ``data`` (CSV or XLSX); ValidationError listing every bad row."""
    suffix = Path(filename or "").suffix.lower() or ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            frame = tables.read_table(path, text_columns=[NAME, GENDER, LEVEL, APART])
        except EngineInputError as exc:
            raise ValidationError(_("无法读取文件：%(error)s") % {"error": exc.message}) from exc
    columns = list(frame.columns)
    if NAME not in columns:
        raise ValidationError(_("文件缺少“姓名”列。请使用模板。"))
    if GENDER not in columns:
        raise ValidationError(_("文件缺少“性别”列。请使用模板。"))
    subjects = [c for c in columns if c not in (NAME, GENDER, LEVEL, APART) and c]
    if LEVEL in columns and subjects:
        raise ValidationError(_("请只用成绩列或“等级”列中的一种，不要同时使用。"))
    if LEVEL not in columns and not subjects:
        raise ValidationError(_("文件需要至少一列科目成绩，或一列“等级”（A-D）。"))
    errors: list[str] = []
    pupils: list[ParsedPupil] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(frame.to_dict("records")):
        row = index + 2
        name = tables.cell_text(record.get(NAME))
        if not name:
            errors.append(_("第 %(row)d 行：姓名为空。") % {"row": row})
            continue
        if name in seen:
            errors.append(
                _("第 %(row)d 行：姓名“%(name)s”与第 %(other)d 行重复（请加以区分，如张三2）。")
                % {"row": row, "name": name, "other": seen[name]}
            )
            continue
        seen[name] = row
        gender = tables.cell_text(record.get(GENDER))
        if gender not in ("男", "女"):
            errors.append(_("第 %(row)d 行：性别应为“男”或“女”。") % {"row": row})
        pupil = ParsedPupil(row=row, name=name, gender=gender)
        if subjects:
            for subject in subjects:
                value = record.get(subject)
                try:
                    number = float(tables.cell_text(value))
                except ValueError:
                    number = math.nan
                if not math.isfinite(number):
                    errors.append(
                        _("第 %(row)d 行：“%(subject)s”不是数字。")
                        % {"row": row, "subject": subject}
                    )
                else:
                    pupil.scores[subject] = number
        else:
            level = tables.cell_text(record.get(LEVEL)).upper()
            if level not in LEVELS:
                errors.append(_("第 %(row)d 行：等级应为 A、B、C 或 D。") % {"row": row})
            pupil.level = level
        if APART in columns:
            pupil.apart = [p for p in SPLIT.split(tables.cell_text(record.get(APART))) if p]
        pupils.append(pupil)
    if len(pupils) + len(errors) > MAX_PUPILS:
        errors.append(_("一个班级最多 %(n)d 名学生。") % {"n": MAX_PUPILS})
    pairs: list[tuple[str, str]] = []
    for pupil in pupils:
        for other in pupil.apart:
            if other not in seen:
                errors.append(
                    _("第 %(row)d 行：排斥的学生“%(name)s”不在名单中。")
                    % {"row": pupil.row, "name": other}
                )
            elif other != pupil.name:
                pairs.append((pupil.name, other))
    for number, line in enumerate((apart_text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        names = [p.strip() for p in re.split(r"[-－—–]", line) if p.strip()]
        if len(names) != 2 or names[0] == names[1]:
            errors.append(_("排斥名单第 %(n)d 行：请写成“张三-李四”。") % {"n": number})
            continue
        missing = [n for n in names if n not in seen]
        if missing:
            errors.append(
                _("排斥名单第 %(n)d 行：“%(name)s”不在名单中。") % {"n": number, "name": missing[0]}
            )
            continue
        pairs.append((names[0], names[1]))
    if errors:
        raise ValidationError(errors)
    unique = sorted({tuple(sorted(p)) for p in pairs})
    return ParsedList(pupils=pupils, subjects=subjects, apart=unique)


def _features(pupils: list[Pupil], subjects: list[str]) -> np.ndarray:
    if subjects:
        return np.array([[p.scores.get(s, 0.0) for s in subjects] for p in pupils], dtype=float)
    return np.array([[LEVELS.get(p.level, 0)] for p in pupils], dtype=float)


def _assign(class_list: ClassList, seed: int) -> None:
    pupils = list(class_list.pupils.order_by("row"))
    n = len(pupils)
    size = max(2, class_list.group_size)
    k = max(1, math.ceil(n / size))
    index = {p.pk: i for i, p in enumerate(pupils)}
    apart = [(index[a], index[b]) for a, b in class_list.apart_pairs.values_list("first", "second")]
    genders = sorted({p.gender for p in pupils})
    cats = np.array([[genders.index(p.gender)] for p in pupils], dtype=np.int64)
    x = _features(pupils, class_list.subjects)
    if np.allclose(x.std(axis=0), 0):
        x = x + np.linspace(0, 1e-6, n)[:, None]
    spec = GroupingSpec(
        features=x,
        n_groups=k,
        feature_names=class_list.subjects or [LEVEL],
        categories=cats,
        category_names=[GENDER],
        category_levels=[genders],
        size_min=n // k,
        size_max=-(-n // k),
        apart=apart,
        seed=seed,
        time_limit=10.0,
        item_names=[p.name for p in pupils],
    )
    try:
        result = group_items(spec)
    except EngineInputError as exc:
        raise ValidationError(
            _("无法分组：%(error)s 请调整每组人数或排斥名单。") % {"error": exc.message}
        ) from exc
    seats: dict[int, int] = {}
    for pupil, label in zip(pupils, result.labels, strict=True):
        pupil.group = int(label)
        seats[pupil.group] = seats.get(pupil.group, 0) + 1
        pupil.seat = seats[pupil.group]
    Pupil.objects.bulk_update(pupils, ["group", "seat"])


@transaction.atomic
def class_list_create(
    *, by: Any, name: str, group_size: int, parsed: ParsedList, seed: int = 0
) -> ClassList:
    if not 2 <= group_size <= 12:
        raise ValidationError(_("每组人数应在 2 到 12 之间。"))
    if len(parsed.pupils) < group_size:
        raise ValidationError(_("学生人数少于每组人数。"))
    class_list = ClassList.objects.create(
        unit=by.unit,
        created_by=by,
        name=name,
        group_size=group_size,
        subjects=parsed.subjects,
        seed=seed,
    )
    by_name = {}
    for p in parsed.pupils:
        by_name[p.name] = Pupil.objects.create(
            class_list=class_list,
            row=p.row,
            name=p.name,
            gender=p.gender,
            scores=p.scores,
            level=p.level,
        )
    for a, b in parsed.apart:
        ApartPair.objects.create(class_list=class_list, first=by_name[a], second=by_name[b])
    _assign(class_list, seed)
    audit_record(
        actor=by,
        action="classgroups.create",
        target=class_list,
        unit=class_list.unit,
        summary=f"class list {class_list.pk}: {len(parsed.pupils)} pupils",
    )
    return class_list


@transaction.atomic
def class_list_regroup(*, class_list: ClassList, by: Any, seed: int, group_size: int | None = None):
    require(by, FILL, class_list)
    if group_size is not None:
        if not 2 <= group_size <= 12:
            raise ValidationError(_("每组人数应在 2 到 12 之间。"))
        class_list.group_size = group_size
    class_list.seed = seed
    class_list.save(update_fields=["seed", "group_size", "updated_at"])
    _assign(class_list, seed)
    audit_record(
        actor=by, action="classgroups.regroup", target=class_list, unit=class_list.unit, summary=""
    )
    return class_list


def apart_partners(class_list: ClassList, pupil: Pupil) -> list[Pupil]:
    ids = []
    for a, b in class_list.apart_pairs.values_list("first_id", "second_id"):
        if a == pupil.pk:
            ids.append(b)
        elif b == pupil.pk:
            ids.append(a)
    return list(class_list.pupils.filter(pk__in=ids))


@transaction.atomic
def pupil_move(*, class_list: ClassList, pupil: Pupil, group: int, by: Any) -> Pupil:
    require(by, FILL, class_list)
    n_groups = group_count(class_list)
    if not 0 <= group < n_groups + 1:
        raise ValidationError(_("没有这个小组。"))
    clash = [p for p in apart_partners(class_list, pupil) if p.group == group]
    if clash:
        raise ValidationError(
            _("不能移动：%(a)s 与 %(b)s 需分在不同小组。")
            % {"a": pupil.name, "b": "、".join(p.name for p in clash)}
        )
    old = pupil.group
    pupil.group = group
    pupil.seat = (
        max(class_list.pupils.filter(group=group).values_list("seat", flat=True), default=0) + 1
    )
    pupil.save(update_fields=["group", "seat"])
    for seat, p in enumerate(class_list.pupils.filter(group=old).order_by("seat"), start=1):
        if p.seat != seat:
            p.seat = seat
            p.save(update_fields=["seat"])
    class_list.save(update_fields=["updated_at"])
    audit_record(
        actor=by, action="classgroups.move", target=class_list, unit=class_list.unit, summary=""
    )
    return pupil


@transaction.atomic
def class_list_delete(*, class_list: ClassList, by: Any) -> None:
    require(by, FILL, class_list)
    unit = class_list.unit
    pk = class_list.pk
    count = class_list.pupils.count()
    audit_record(
        actor=by,
        action="classgroups.delete",
        target=None,
        unit=unit,
        summary=f"class list {pk} deleted ({count} pupils)",
    )
    sheet, storage = class_list.sheet_pdf.name, class_list.sheet_pdf.storage
    class_list.delete()
    if sheet:
        transaction.on_commit(lambda: storage.delete(sheet), robust=True)


def group_count(class_list: ClassList) -> int:
    return (max(class_list.pupils.values_list("group", flat=True), default=-1)) + 1


def groups(class_list: ClassList) -> list[dict[str, Any]]:
    out: dict[int, list[Pupil]] = {}
    for p in class_list.pupils.all():
        out.setdefault(p.group, []).append(p)
    k = group_count(class_list)
    return [{"index": g, "name": group_letter(g), "members": out.get(g, [])} for g in range(k)]


def balance(class_list: ClassList) -> dict[str, Any]:
    pupils = list(class_list.pupils.all())
    k = group_count(class_list)
    subjects = class_list.subjects or [LEVEL]
    x = _features(pupils, class_list.subjects)
    labels = np.array([p.group for p in pupils])
    rows = []
    for j, subject in enumerate(subjects):
        overall = float(x[:, j].mean()) if len(pupils) else 0.0
        sd = float(x[:, j].std()) or 1.0
        means = []
        for g in range(k):
            col = x[labels == g, j]
            means.append(round(float(col.mean()), 1) if len(col) else None)
        worst = max((abs(m - overall) / sd for m in means if m is not None), default=0.0)
        rows.append(
            {
                "name": subject,
                "overall": round(overall, 1),
                "means": means,
                "worst": round(worst, 2),
            }
        )
    genders = sorted({p.gender for p in pupils})
    gender_rows = [
        {
            "gender": gd,
            "counts": [sum(1 for p in pupils if p.group == g and p.gender == gd) for g in range(k)],
        }
        for gd in genders
    ]
    by_id = {p.pk: p for p in pupils}
    pairs = []
    for a, b in class_list.apart_pairs.values_list("first_id", "second_id"):
        pa, pb = by_id[a], by_id[b]
        pairs.append({"a": pa.name, "b": pb.name, "kept": pa.group != pb.group})
    return {
        "letters": [group_letter(g) for g in range(k)],
        "sizes": [int((labels == g).sum()) for g in range(k)],
        "subjects": rows,
        "genders": gender_rows,
        "pairs": pairs,
        "all_kept": all(p["kept"] for p in pairs),
    }


def export_rows(class_list: ClassList) -> list[list[Any]]:
    subjects = class_list.subjects or [LEVEL]
    rows = [["小组", "座号", NAME, GENDER, *subjects]]
    for p in class_list.pupils.all():
        values = (
            [p.scores.get(s) for s in class_list.subjects] if class_list.subjects else [p.level]
        )
        rows.append([group_letter(p.group), p.label, p.name, p.gender, *values])
    return rows


def export_xlsx(class_list: ClassList) -> bytes:
    from openpyxl import Workbook

    from shidian.xlsxcell import set_text

    wb = Workbook()
    ws = wb.active
    ws.title = "分组"
    for r, row in enumerate(export_rows(class_list), start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell.value = value
            else:
                set_text(cell, "" if value is None else str(value))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    from shidian.xlsxcell import set_text

    wb = Workbook()
    ws = wb.active
    ws.title = "班级名单"
    sample = [
        [NAME, GENDER, "语文", "数学", "英语", APART],
        ["张三", "男", 88, 92, 79, "李四"],
        ["李四", "男", 75, 81, 90, ""],
        ["王芳", "女", 93, 85, 88, ""],
    ]
    for r, row in enumerate(sample, start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, int):
                cell.value = value
            else:
                set_text(cell, value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def seating_docx(class_list: ClassList) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(f"{class_list.name} 座位表", level=1)
    for group in groups(class_list):
        doc.add_heading(f"第 {group['name']} 组", level=2)
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        head = table.rows[0].cells
        head[0].text, head[1].text, head[2].text = "座号", NAME, GENDER
        for p in group["members"]:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = p.label, p.name, p.gender
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
