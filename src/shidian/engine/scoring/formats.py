"""A standard as plain data, YAML text and an XLSX sheet as bureaus write them.

Readers never raise on content: they return ``(standard or None, problems, rows)`` where every
problem names its row, so the web page and ``shidian standard import --dry-run`` print the same
list. ``rows`` maps every code to its source row (XLSX row number; YAML items are numbered in
reading order).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from shidian.engine.scoring.model import (
    Dimension,
    Indicator,
    Item,
    Level,
    Method,
    Problem,
    Standard,
    Threshold,
)
from shidian.engine.scoring.validate import validate_standard

METHOD_NAMES = {
    Method.SCORE: "直接赋分",
    Method.LEVELS: "等级",
    Method.YES_NO: "是否",
    Method.NUMBER: "数值",
    Method.RATIO: "比值",
    Method.VETO: "一票否决",
}
METHOD_ALIASES = {name: method for method, name in METHOD_NAMES.items()}
METHOD_ALIASES.update({m.value: m for m in Method})
METHOD_ALIASES.update({"等级评定": Method.LEVELS, "是/否": Method.YES_NO, "否决": Method.VETO})

ParseResult = tuple[Standard | None, list[Problem], dict[str, int]]


# --- plain data ---------------------------------------------------------------------------------
def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def levels_text(levels: tuple[Level, ...]) -> str:
    return ";".join(f"{level.label}={_num(level.score)}" for level in levels)


def thresholds_text(thresholds: tuple[Threshold, ...]) -> str:
    return ";".join(f">={_num(t.minimum)}:{_num(t.score)}" for t in thresholds)


def item_to_dict(item: Item) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": item.code,
        "text": item.text,
        "max_score": _num(item.max_score),
        "method": item.method.value,
    }
    if item.guidance:
        data["guidance"] = item.guidance
    if item.evidence_required:
        data["evidence_required"] = True
    if item.weight != 1:
        data["weight"] = _num(item.weight)
    if item.levels:
        data["levels"] = {level.label: _num(level.score) for level in item.levels}
    if item.thresholds:
        data["thresholds"] = [[_num(t.minimum), _num(t.score)] for t in item.thresholds]
    if item.numerator_label:
        data["numerator"] = item.numerator_label
    if item.denominator_label:
        data["denominator"] = item.denominator_label
    return data


def standard_to_dict(standard: Standard) -> dict[str, Any]:
    data: dict[str, Any] = {"code": standard.code, "name": standard.name}
    if standard.description:
        data["description"] = standard.description
    if standard.check_sums:
        data["check_sums"] = True
    if standard.total_max is not None:
        data["total_max"] = _num(standard.total_max)
    data["dimensions"] = []
    for dimension in standard.dimensions:
        d: dict[str, Any] = {"code": dimension.code, "name": dimension.name}
        if dimension.max_score is not None:
            d["max_score"] = _num(dimension.max_score)
        if dimension.weight != 1:
            d["weight"] = _num(dimension.weight)
        d["indicators"] = []
        for indicator in dimension.indicators:
            i: dict[str, Any] = {"code": indicator.code, "name": indicator.name}
            if indicator.max_score is not None:
                i["max_score"] = _num(indicator.max_score)
            if indicator.weight != 1:
                i["weight"] = _num(indicator.weight)
            i["items"] = [item_to_dict(item) for item in indicator.items]
            d["indicators"].append(i)
        data["dimensions"].append(d)
    return data


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.rows: dict[str, int] = {}

    def add(self, code: str, message: str, row: int | None, item: str = "") -> None:
        self.problems.append(Problem(code, message, row=row, item=item))

    def weight(self, value: Any, what: str, row: int | None) -> float:
        number = self.number(value, what, row)
        return 1.0 if number is None else number

    def number(self, value: Any, what: str, row: int | None, *, default=None) -> float | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        if isinstance(value, bool):
            self.add("not_a_number", f"{what} '{value}' is not a number", row)
            return default
        try:
            return (
                float(str(value).strip().replace("分", ""))
                if isinstance(value, str)
                else float(value)
            )
        except (TypeError, ValueError):
            self.add("not_a_number", f"{what} '{value}' is not a number", row)
            return default


def parse_levels(value: Any, col: _Collector, row: int | None, code: str) -> tuple[Level, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, Mapping):
        pairs = list(value.items())
    else:
        pairs = []
        for part in re.split(r"[;；,，\n]", str(value)):
            if not part.strip():
                continue
            match = re.match(r"\s*([^=＝:：]+?)\s*[=＝:：]\s*(.*)$", part)
            if not match:
                col.add(
                    "bad_levels",
                    f"{code}: level '{part.strip()}' needs a score, e.g. A=10",
                    row,
                    code,
                )
                continue
            label, score = match.group(1), match.group(2)
            pairs.append((label.strip(), score.strip()))
    levels = []
    for label, score in pairs:
        number = col.number(score, f"{code}: level {label} score", row)
        if number is not None:
            levels.append(Level(str(label).strip(), number))
    return tuple(levels)


def parse_thresholds(value: Any, col: _Collector, row: int | None, code: str):
    if value is None or value == "":
        return ()
    if isinstance(value, list | tuple):
        pairs = [tuple(pair) for pair in value]
    else:
        pairs = []
        for part in re.split(r"[;；,，\n]", str(value)):
            part = part.strip().replace("≥", "").replace(">=", "").replace("＞＝", "")
            if not part:
                continue
            bits = re.split(r"[:：]", part, maxsplit=1)
            if len(bits) != 2:
                col.add(
                    "bad_thresholds",
                    f"{code}: threshold '{part}' must read >=minimum:score",
                    row,
                    code,
                )
                continue
            pairs.append((bits[0], bits[1]))
    thresholds = []
    for pair in pairs:
        if len(pair) != 2:
            col.add("bad_thresholds", f"{code}: threshold {pair} must be [minimum, score]", row)
            continue
        minimum = col.number(pair[0], f"{code}: threshold minimum", row)
        score = col.number(pair[1], f"{code}: threshold score", row)
        if minimum is not None and score is not None:
            thresholds.append(Threshold(minimum, score))
    return tuple(thresholds)


def parse_method(value: Any, col: _Collector, row: int | None, code: str, has_levels: bool):
    if value is None or str(value).strip() == "":
        return Method.LEVELS if has_levels else Method.SCORE
    method = METHOD_ALIASES.get(str(value).strip())
    if method is None:
        allowed = "/".join(METHOD_NAMES.values())
        col.add(
            "bad_method", f"{code}: scoring method '{value}' is not one of {allowed}", row, code
        )
        return Method.SCORE
    return method


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes", "是", "需要", "必须", "√"}


def build_item(raw: Mapping[str, Any], col: _Collector, row: int | None) -> Item | None:
    code = str(raw.get("code") or "").strip()
    if not code:
        col.add("missing_code", "an item has no code", row)
        return None
    if code in col.rows:
        first = col.rows[code]
        col.add("duplicate_code", f"{code}: duplicate code (first on row {first})", row, code)
    col.rows.setdefault(code, row or 0)
    max_score = col.number(raw.get("max_score"), f"{code}: maximum", row)
    if max_score is None:
        if raw.get("max_score") in (None, ""):
            col.add("missing_max", f"{code}: the maximum score is missing", row, code)
        max_score = 0.0
    levels = parse_levels(raw.get("levels"), col, row, code)
    method = parse_method(raw.get("method"), col, row, code, bool(levels))
    return Item(
        code=code,
        text=str(raw.get("text") or "").strip(),
        max_score=max_score,
        method=method,
        guidance=str(raw.get("guidance") or "").strip(),
        evidence_required=_flag(raw.get("evidence_required")),
        weight=col.weight(raw.get("weight"), f"{code}: weight", row),
        levels=levels,
        thresholds=parse_thresholds(raw.get("thresholds"), col, row, code),
        numerator_label=str(raw.get("numerator") or "").strip(),
        denominator_label=str(raw.get("denominator") or "").strip(),
    )


def standard_from_dict(data: Mapping[str, Any], rows: Mapping[str, int] | None = None):
    """Build and validate a standard from plain data (YAML). Returns (standard, problems, rows)."""
    col = _Collector()
    counter = 0
    if not isinstance(data, Mapping):
        col.add("bad_format", "the file must describe one standard (code, name, dimensions)", None)
        return None, col.problems, col.rows
    dimensions = []
    for d_raw in data.get("dimensions") or []:
        counter += 1
        d_code = str(d_raw.get("code") or "").strip()
        col.rows.setdefault(d_code, counter)
        indicators = []
        for i_raw in d_raw.get("indicators") or []:
            counter += 1
            i_code = str(i_raw.get("code") or "").strip()
            col.rows.setdefault(i_code, counter)
            items = []
            for item_raw in i_raw.get("items") or []:
                counter += 1
                item = build_item(item_raw, col, counter)
                if item:
                    items.append(item)
            indicators.append(
                Indicator(
                    code=i_code,
                    name=str(i_raw.get("name") or "").strip(),
                    items=tuple(items),
                    max_score=col.number(i_raw.get("max_score"), f"{i_code}: maximum", counter),
                    weight=col.weight(i_raw.get("weight"), f"{i_code}: weight", counter),
                )
            )
        dimensions.append(
            Dimension(
                code=d_code,
                name=str(d_raw.get("name") or "").strip(),
                indicators=tuple(indicators),
                max_score=col.number(d_raw.get("max_score"), f"{d_code}: maximum", None),
                weight=col.weight(d_raw.get("weight"), f"{d_code}: weight", None),
            )
        )
    code = str(data.get("code") or "").strip()
    if not code:
        col.add("missing_code", "the standard has no code", None)
    standard = Standard(
        code=code,
        name=str(data.get("name") or "").strip(),
        dimensions=tuple(dimensions),
        description=str(data.get("description") or "").strip(),
        check_sums=bool(data.get("check_sums")),
        total_max=col.number(data.get("total_max"), "total maximum", None),
    )
    final_rows = dict(rows or col.rows)
    problems = col.problems + validate_standard(standard, final_rows, item_duplicates=False)
    return standard, problems, final_rows


# --- YAML ---------------------------------------------------------------------------------------
def dump_yaml(standard: Standard) -> str:
    return yaml.safe_dump(
        standard_to_dict(standard), allow_unicode=True, sort_keys=False, width=100
    )


def load_yaml(text: str | bytes) -> ParseResult:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        return None, [Problem("bad_yaml", f"not valid YAML: {exc}", row=row)], {}
    return standard_from_dict(data)
