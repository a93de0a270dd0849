"""A standard as an XLSX sheet the way bureaus write it: one row per scoring item, the dimension
and indicator cells merged over their items' rows.

Reading accepts files written by hand: the header row is found by its titles (synonyms allowed),
columns may be missing (codes are generated, the method defaults to direct scoring or to levels
when a level table is given), and merged or simply blank dimension/indicator cells carry down.
A second sheet "说明" (key, value) keeps the standard's code, name and options for a round trip.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from shidian.engine.scoring.formats import ParseResult, _num, standard_from_dict
from shidian.engine.scoring.messages import problem
from shidian.engine.scoring.model import Problem, Standard
from shidian.engine.scoring.rules import METHOD_NAMES, fold, rule_text
from shidian.xlsxcell import column_letter, set_text

SHEET = "指标体系"
META_SHEET = "说明"
# (key, header written, accepted synonyms). The synonyms come from published bureau tables
# (e.g. 南京市中小学智慧校园评估细则: 项目 / 评价指标 / 评价内容 / 分值; 江苏省中小学智慧校园申报
# 自评表: 一级指标 / 二级指标 / 三级指标). When a file has two synonymous columns, the one
# earlier in this list wins (评分标准 before 评价方法), whatever their order in the sheet.
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("d_code", "一级指标编号", ()),
    ("d_name", "一级指标", ("一级指标名称", "维度", "A级指标", "评价维度", "项目")),
    ("d_max", "一级分值", ("一级指标分值",)),
    ("d_weight", "一级权重", ()),
    ("i_code", "二级指标编号", ()),
    ("i_name", "二级指标", ("二级指标名称", "指标", "B级指标", "评价指标")),
    ("i_max", "二级分值", ("二级指标分值",)),
    ("i_weight", "二级权重", ()),
    ("code", "评分要点编号", ("编号", "序号", "要点编号")),
    (
        "text",
        "评分要点",
        ("评分要点内容", "考核内容", "评价要点", "三级指标", "评价内容", "评估要点", "评估内容"),
    ),
    (
        "guidance",
        "评分说明",
        ("评分标准", "评分细则", "评分办法", "计分办法", "说明", "评价方法", "评估方法"),
    ),
    ("max_score", "分值", ("满分", "标准分", "要点分值", "分数", "标准分值")),
    ("method", "评分方式", ("赋分方式", "计分方式", "评分类型", "评价方式")),
    ("rule", "等级/阈值", ("等级", "评分规则", "阈值", "计分规则", "赋分规则", "分档", "评分档次")),
    ("numerator", "分子", ()),
    ("denominator", "分母", ()),
    ("evidence_required", "佐证材料", ("需佐证", "佐证", "佐证要求")),
    ("weight", "权重", ("要点权重",)),
]
HEADER_TO_KEY: dict[str, tuple[str, int]] = {}
for _key, _title, _synonyms in COLUMNS:
    for _rank, _name in enumerate((_title, *_synonyms)):
        HEADER_TO_KEY[_name] = (_key, _rank)
ITEM_KEYS: tuple[str, ...] = ("code", "text", "guidance", "max_score", "method", "rule")
ITEM_KEYS += ("numerator", "denominator", "evidence_required", "weight")
MAX_ROWS = 5000


def write_xlsx(standard: Standard, target: str | Path | io.BytesIO) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    for col, (_key, header, _syn) in enumerate(COLUMNS, 1):
        ws.cell(row=1, column=col, value=header)
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
                rule = rule_text(item)
                _write_row(
                    ws,
                    row,
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
                    ],
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
        ws.column_dimensions[column_letter(index - 1)].width = width
    ws.freeze_panes = "A2"
    meta = wb.create_sheet(META_SHEET)
    meta_rows: list[list[Any]] = [
        ["项目", "值"],
        ["code", standard.code],
        ["name", standard.name],
        ["description", standard.description or None],
        ["check_sums", "是" if standard.check_sums else "否"],
        ["total_max", _num(standard.total_max)],
    ]
    for index, pair in enumerate(meta_rows, 1):
        _write_row(meta, index, pair)
    meta.column_dimensions["B"].width = 60
    wb.save(target)


def _write_row(ws: Any, row: int, values: list[Any]) -> None:
    """One row through :func:`shidian.xlsxcell.set_text`: stored text with a control character
    (imported before the input was cleaned) or a leading "=" cannot break or arm the export."""
    for col, value in enumerate(values, 1):
        if value is not None:
            set_text(ws.cell(row=row, column=col), value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(value: Any) -> str:
    """A header title without spaces, full-width forms or a unit note: "分值（分）" -> "分值"."""
    return re.sub(r"\(.*?\)", "", fold(_text(value)))


# OOXML writes characters XML cannot carry (a vertical tab pasted from Word) as _xHHHH_;
# openpyxl hands them over escaped, so they are restored here and then cleaned like any text.
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(value: Any) -> Any:
    if isinstance(value, str) and "_x" in value:
        return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
    return value


def _read_cells(data: bytes) -> tuple[list[tuple], list[tuple]]:
    """Every value of the standard's sheet and of the 说明 sheet.

    openpyxl parses a read-only sheet lazily, row by row, so a truncated sheet XML or an
    undefined entity (``&foo;``) only fails while the rows are iterated: the whole read happens
    here, inside the caller's error handling, and nothing after it touches the file.
    """
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        rows = [
            tuple(_unescape(v) for v in values)
            for values in ws.iter_rows(values_only=True, max_row=MAX_ROWS)
        ]
        meta: list[tuple] = []
        if META_SHEET in wb.sheetnames:
            meta = [
                tuple(_unescape(v) for v in values)
                for values in wb[META_SHEET].iter_rows(min_row=2, values_only=True, max_col=2)
            ]
    finally:
        wb.close()
    return rows, meta


def read_xlsx(source: str | Path | bytes, *, default_code: str = "") -> ParseResult:
    """Read a standard from a workbook; problems carry the sheet row numbers."""
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        rows, meta_rows = _read_cells(data)
    except Exception as exc:  # zip, XML and format errors all mean "not a readable XLSX"
        return None, [problem("bad_file", detail=type(exc).__name__)], {}
    header_index, columns = None, {}
    for index, values in enumerate(rows[:15]):
        ranked: dict[str, tuple[int, int]] = {}
        for c, v in enumerate(values):
            key, rank = HEADER_TO_KEY.get(_header(v), ("", 0))
            if key and (key not in ranked or rank < ranked[key][0]):
                ranked[key] = (rank, c)
        if "text" in ranked and "max_score" in ranked:
            header_index, columns = index, {key: c for key, (_r, c) in ranked.items()}
            break
    if header_index is None:
        return None, [problem("missing_header")], {}
    meta: dict[str, Any] = {}
    for key, value, *_ in meta_rows:
        if key:
            meta[str(key).strip()] = value
    title = _text(rows[0][0]) if header_index > 0 and rows[0] else ""
    problems: list[Problem] = []
    node_rows: dict[int, int] = {}
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
            current_dim = {
                "_key": d_code or d_name,
                "code": d_code or f"D{len(dims) + 1}",
                "name": d_name,
                "max_score": get(values, "d_max"),
                "weight": get(values, "d_weight"),
                "indicators": [],
            }
            node_rows[id(current_dim)] = row
            dims.append(current_dim)
            current_ind = None
        if current_dim is None:
            problems.append(problem("missing_dimension", row=row))
            continue
        i_name, i_code = _text(get(values, "i_name")), _text(get(values, "i_code"))
        if (i_name or i_code) and (
            current_ind is None or (i_code or i_name) != current_ind["_key"]
        ):
            current_ind = {
                "_key": i_code or i_name,
                "code": i_code or f"{current_dim['code']}.{len(current_dim['indicators']) + 1}",
                "name": i_name,
                "max_score": get(values, "i_max"),
                "weight": get(values, "i_weight"),
                "items": [],
            }
            node_rows[id(current_ind)] = row
            current_dim["indicators"].append(current_ind)
        if current_ind is None:
            problems.append(problem("missing_indicator", row=row))
            continue
        raw = {key: get(values, key) for key in ITEM_KEYS}
        raw["code"] = _text(raw["code"]) or f"{current_ind['code']}.{len(current_ind['items']) + 1}"
        node_rows[id(raw)] = row
        current_ind["items"].append(raw)
    plain = {
        "code": _text(meta.get("code")) or default_code,
        "name": _text(meta.get("name")) or title or default_code,
        "description": _text(meta.get("description")),
        "check_sums": _text(meta.get("check_sums")) in ("是", "true", "True", "1"),
        "total_max": meta.get("total_max"),
        "dimensions": dims,
    }
    standard, found_problems, code_rows = standard_from_dict(plain, node_rows=node_rows)
    return standard, _in_row_order(problems + found_problems), code_rows


def _in_row_order(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for found in problems:
        key = (found.code, found.message, found.row)
        if key not in seen:
            seen.add(key)
            out.append(found)
    return sorted(out, key=lambda p: p.row or 0)
