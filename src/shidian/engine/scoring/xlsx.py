"""A standard as an XLSX sheet the way bureaus write it: one row per scoring item, the dimension
and indicator cells merged over their items' rows.

Reading accepts files written by hand: the header row is found by its titles (synonyms allowed),
columns may be missing (codes are generated, the method defaults to direct scoring or to levels
when a level table is given), and merged or simply blank dimension/indicator cells carry down.
A second sheet "说明" (key, value) keeps the standard's code, name and options for a round trip.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from shidian.engine.scoring.formats import (
    METHOD_NAMES,
    ParseResult,
    _Collector,
    _num,
    build_item,
    levels_text,
    standard_from_dict,
    thresholds_text,
)
from shidian.engine.scoring.model import Problem, Standard

SHEET = "指标体系"
META_SHEET = "说明"
# (key, header written, accepted synonyms)
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("d_code", "一级指标编号", ()),
    ("d_name", "一级指标", ("一级指标名称", "维度")),
    ("d_max", "一级分值", ("一级指标分值",)),
    ("d_weight", "一级权重", ()),
    ("i_code", "二级指标编号", ()),
    ("i_name", "二级指标", ("二级指标名称", "指标")),
    ("i_max", "二级分值", ("二级指标分值",)),
    ("i_weight", "二级权重", ()),
    ("code", "评分要点编号", ("编号", "序号", "要点编号")),
    ("text", "评分要点", ("评分要点内容", "考核内容", "评价要点", "三级指标")),
    ("guidance", "评分说明", ("评分标准", "评分细则", "说明")),
    ("max_score", "分值", ("满分", "标准分", "要点分值")),
    ("method", "评分方式", ("赋分方式",)),
    ("rule", "等级/阈值", ("等级", "评分规则", "阈值")),
    ("numerator", "分子", ()),
    ("denominator", "分母", ()),
    ("evidence_required", "佐证材料", ("需佐证", "佐证")),
    ("weight", "权重", ("要点权重",)),
]
HEADER_TO_KEY = {}
for _key, _header, _synonyms in COLUMNS:
    for _name in (_header, *_synonyms):
        HEADER_TO_KEY[_name] = _key
MAX_ROWS = 5000


def write_xlsx(standard: Standard, target: str | Path | io.BytesIO) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([header for _key, header, _syn in COLUMNS])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF1F4")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    row = 2
    for dimension in standard.dimensions:
        d_start = row
        for indicator in dimension.indicators:
            i_start = row
            for item in indicator.items:
                rule = levels_text(item.levels) if item.levels else thresholds_text(item.thresholds)
                ws.append(
                    [
                        dimension.code,
                        dimension.name,
                        _num(dimension.max_score),
                        _num(dimension.weight) if dimension.weight != 1 else None,
                        indicator.code,
                        indicator.name,
                        _num(indicator.max_score),
                        _num(indicator.weight) if indicator.weight != 1 else None,
                        item.code,
                        item.text,
                        item.guidance or None,
                        _num(item.max_score),
                        METHOD_NAMES[item.method],
                        rule or None,
                        item.numerator_label or None,
                        item.denominator_label or None,
                        "是" if item.evidence_required else None,
                        _num(item.weight) if item.weight != 1 else None,
                    ]
                )
                row += 1
            if row - 1 > i_start:
                for col in range(5, 9):
                    ws.merge_cells(
                        start_row=i_start, end_row=row - 1, start_column=col, end_column=col
                    )
        if row - 1 > d_start:
            for col in range(1, 5):
                ws.merge_cells(start_row=d_start, end_row=row - 1, start_column=col, end_column=col)
    top = Alignment(vertical="top", wrap_text=True)
    for line in ws.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = top
    widths = [8, 16, 8, 8, 10, 18, 8, 8, 10, 40, 40, 6, 10, 18, 12, 12, 8, 6]
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    meta = wb.create_sheet(META_SHEET)
    meta.append(["项目", "值"])
    meta.append(["code", standard.code])
    meta.append(["name", standard.name])
    meta.append(["description", standard.description or None])
    meta.append(["check_sums", "是" if standard.check_sums else "否"])
    meta.append(["total_max", _num(standard.total_max)])
    meta.column_dimensions["B"].width = 60
    wb.save(target)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx(source: str | Path | bytes, *, default_code: str = "") -> ParseResult:
    """Read a standard from a workbook; problems carry the sheet row numbers."""
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zip, XML and format errors all mean "not a readable XLSX"
        return None, [Problem("bad_file", f"not a readable XLSX file ({type(exc).__name__})")], {}
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True, max_row=MAX_ROWS))
    header_index, columns = None, {}
    for index, values in enumerate(rows[:15]):
        found = {
            HEADER_TO_KEY[_text(v)]: c for c, v in enumerate(values) if _text(v) in HEADER_TO_KEY
        }
        if "text" in found and "max_score" in found:
            header_index, columns = index, found
            break
    if header_index is None:
        return None, [Problem("missing_header", "no header row with 评分要点 and 分值 found")], {}
    meta: dict[str, str] = {}
    if META_SHEET in wb.sheetnames:
        for key, value, *_ in wb[META_SHEET].iter_rows(min_row=2, values_only=True, max_col=2):
            if key:
                meta[str(key).strip()] = value
    title = _text(rows[0][0]) if header_index > 0 and rows[0] else ""
    col = _Collector()
    dims: list[dict[str, Any]] = []
    current_dim: dict[str, Any] | None = None
    current_ind: dict[str, Any] | None = None

    def get(values, key):
        c = columns.get(key)
        return values[c] if c is not None and c < len(values) else None

    for offset, values in enumerate(rows[header_index + 1 :]):
        row = header_index + 2 + offset
        if not any(v not in (None, "") for v in values):
            continue
        d_name, d_code = _text(get(values, "d_name")), _text(get(values, "d_code"))
        if (d_name or d_code) and (
            current_dim is None or (d_code or d_name) != current_dim["_key"]
        ):
            code = d_code or f"D{len(dims) + 1}"
            current_dim = {
                "_key": d_code or d_name,
                "code": code,
                "name": d_name,
                "max_score": get(values, "d_max"),
                "weight": get(values, "d_weight"),
                "indicators": [],
            }
            col.rows.setdefault(code, row)
            dims.append(current_dim)
            current_ind = None
        if current_dim is None:
            col.add("missing_dimension", "the first item row names no dimension (一级指标)", row)
            continue
        i_name, i_code = _text(get(values, "i_name")), _text(get(values, "i_code"))
        if (i_name or i_code) and (
            current_ind is None or (i_code or i_name) != current_ind["_key"]
        ):
            code = i_code or f"{current_dim['code']}.{len(current_dim['indicators']) + 1}"
            current_ind = {
                "_key": i_code or i_name,
                "code": code,
                "name": i_name,
                "max_score": get(values, "i_max"),
                "weight": get(values, "i_weight"),
                "items": [],
            }
            col.rows.setdefault(code, row)
            current_dim["indicators"].append(current_ind)
        if current_ind is None:
            col.add("missing_indicator", "the item row names no indicator (二级指标)", row)
            continue
        code = _text(get(values, "code"))
        if not code:
            code = f"{current_ind['code']}.{len(current_ind['items']) + 1}"
        rule = get(values, "rule")
        method = _text(get(values, "method"))
        raw = {
            "code": code,
            "text": _text(get(values, "text")),
            "guidance": _text(get(values, "guidance")),
            "max_score": get(values, "max_score"),
            "method": method,
            "evidence_required": get(values, "evidence_required"),
            "weight": get(values, "weight"),
            "numerator": _text(get(values, "numerator")),
            "denominator": _text(get(values, "denominator")),
        }
        if method in ("数值", "比值", "number", "ratio"):
            raw["thresholds"] = rule
        else:
            raw["levels"] = rule
        item = build_item(raw, col, row)
        if item is not None:
            current_ind["items"].append(_item_back_to_dict(item))
    plain = {
        "code": _text(meta.get("code")) or default_code,
        "name": _text(meta.get("name")) or title or default_code,
        "description": _text(meta.get("description")),
        "check_sums": _text(meta.get("check_sums")) in ("是", "true", "True", "1"),
        "total_max": meta.get("total_max"),
        "dimensions": dims,
    }
    standard, problems, _ = standard_from_dict(plain, rows=col.rows)
    return standard, _dedupe(col.problems + problems), col.rows


def _item_back_to_dict(item) -> dict[str, Any]:
    from shidian.engine.scoring.formats import item_to_dict

    data = item_to_dict(item)
    data["evidence_required"] = item.evidence_required
    return data


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for problem in problems:
        key = (problem.code, problem.message, problem.row)
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return sorted(out, key=lambda p: p.row or 0)
