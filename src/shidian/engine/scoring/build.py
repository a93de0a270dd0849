"""Plain data (parsed YAML, the XLSX rows, a stored version's JSON) into a checked standard.

Readers never raise on content: they return ``(standard or None, problems, rows)`` where every
problem names the row it stands on (the XLSX row, the YAML line), so the web page and
``shidian standard import --dry-run`` print the same list. ``rows`` maps every code to the row
it first appears on. Text is cleaned of control characters on the way in
(:func:`shidian.textclean.clean_text`) and every stored field is checked against
:data:`~shidian.engine.scoring.model.MAX_LENGTHS` before anything is stored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from shidian.engine.scoring.messages import problem
from shidian.engine.scoring.model import (
    MAX_LENGTHS,
    Dimension,
    Direction,
    Indicator,
    Item,
    Level,
    Method,
    Problem,
    Standard,
)
from shidian.engine.scoring.rules import (
    METHOD_NAMES,
    fold,
    looks_like_thresholds,
    mentions_thresholds,
    method_from_text,
    parse_levels,
    parse_thresholds,
    thresholds_from_pairs,
)
from shidian.engine.scoring.validate import item_problems, validate_standard
from shidian.textclean import clean_text

ParseResult = tuple[Standard | None, list[Problem], dict[str, int]]
NodeRows = Mapping[int, int]  # id() of a mapping in the plain data -> its source row
FieldRows = Mapping[tuple[int, str], int]  # (id() of a mapping, key) -> the row of that key


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return fold(str(value)).lower() in {"true", "1", "yes", "是", "需要", "必须", "√", "✓", "有"}


class _Builder:
    """Builds the tree from plain data, collecting problems on the rows they stand on."""

    def __init__(self, node_rows: NodeRows | None, field_rows: FieldRows | None) -> None:
        self.node_rows = node_rows or {}
        self.field_rows = field_rows or {}
        self.problems: list[Problem] = []
        self.rows: dict[str, int] = {}
        self.seen: dict[str, int | None] = {}

    def row(self, node: Any) -> int | None:
        return self.node_rows.get(id(node))

    def field_row(self, node: Any, field: str) -> int | None:
        return self.field_rows.get((id(node), field)) or self.row(node)

    def add(self, code: str, row: int | None, item: str = "", **params: Any) -> None:
        self.problems.append(problem(code, row=row, item=item, **params))

    def text(
        self, value: Any, field: str, row: int | None, item: str, *, limit: str = "", multi=False
    ) -> str:
        if value is None:
            return ""
        if isinstance(value, list | dict | tuple):
            self.add("not_text", row, item, field=field)
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = clean_text(str(value), multiline=multi)
        maximum = MAX_LENGTHS[limit or field]
        if len(text) > maximum:
            self.add(
                "too_long", row, item or text[:20], field=field, limit=maximum, length=len(text)
            )
        return text

    def number(self, value: Any, field: str, row: int | None, item: str) -> float | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):  # "5", "5分", "５"
            try:
                number = float(fold(value).removeprefix("得").removesuffix("分"))
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            self.add("not_a_number", row, item, field=field, value=str(value)[:40])
            return None
        return number

    def weight(self, value: Any, row: int | None, item: str) -> float:
        number = self.number(value, "weight", row, item)
        return 1.0 if number is None else number

    def code(self, value: Any, kind: str, row: int | None) -> str:
        code = self.text(value, "code", row, "")
        if not code:
            self.add("missing_code", row, kind=kind)
        elif code in self.seen:
            self.add("duplicate_code", row, code, first=self.seen[code] or "?")
        else:
            self.seen[code] = row
            self.rows[code] = row or 0
        return code

    def entries(self, parent: Mapping[str, Any], field: str) -> list[Mapping[str, Any]]:
        """The mappings of a list field; anything else is a problem on its row, not a crash."""
        value = parent.get(field)
        row = self.field_row(parent, field)
        if value is None or value == "":
            return []
        if not isinstance(value, list):
            self.add("not_a_list", row, field=field)
            return []
        out = []
        for index, entry in enumerate(value, 1):
            if isinstance(entry, Mapping):
                out.append(entry)
            else:
                self.add("not_a_mapping", row, field=field, index=index)
        return out

    def levels(self, value: Any, row: int | None, code: str, top: float) -> tuple[Level, ...]:
        if value is None or value == "":
            return ()
        levels: list[Level] = []
        if isinstance(value, Mapping):
            for label, score in value.items():
                number = self.number(score, "level", row, code)
                if number is not None:
                    levels.append(Level(self.level_label(label, row, code), number))
            return tuple(levels)
        if not isinstance(value, str | int | float):
            self.add("bad_levels", row, code, value=str(value)[:40])
            return ()
        parsed, bad = parse_levels(str(value), top)
        for part in bad:
            self.add("bad_levels", row, code, value=part[:40])
        return tuple(Level(self.level_label(lv.label, row, code), lv.score) for lv in parsed)

    def level_label(self, label: Any, row: int | None, code: str) -> str:
        return self.text(label, "level", row, code, limit="label")

    def thresholds(self, raw: Mapping[str, Any], value: Any, row, code, *, ratio, top):
        """(thresholds, direction, fallback) from a written rule or YAML pairs."""
        direction = Direction.HIGHER
        given = raw.get("direction")
        if given not in (None, ""):
            try:
                direction = Direction(str(given).strip().lower())
            except ValueError:
                self.add("bad_direction", row, code, value=str(given)[:40])
        fallback = self.number(raw.get("fallback"), "fallback", row, code) or 0.0
        if value is None or value == "":
            return (), direction, fallback
        if isinstance(value, list | tuple) and not all(isinstance(v, str) for v in value):
            found, problems = thresholds_from_pairs(
                list(value), make=lambda c, **p: problem(c, row=row, item=code, **p)
            )
            self.problems.extend(problems)
            return tuple(found), direction, fallback
        if isinstance(value, Mapping):
            self.add("bad_thresholds", row, code, value=str(value)[:40])
            return (), direction, fallback
        text = ";".join(value) if isinstance(value, list | tuple) else str(value)
        parsed = parse_thresholds(
            text,
            ratio=ratio,
            max_score=top,
            make=lambda c, **p: problem(c, row=row, item=code, **p),
        )
        self.problems.extend(parsed.problems)
        if not parsed.explicit:  # plain "0.9:10": the YAML direction (or more is better) holds
            return parsed.thresholds, direction, parsed.fallback or fallback
        return parsed.thresholds, parsed.direction, parsed.fallback or fallback

    def item(self, raw: Mapping[str, Any]) -> Item | None:
        row = self.row(raw)
        code = self.code(raw.get("code"), "item", row)
        if not code:
            return None
        max_score = self.number(raw.get("max_score"), "max_score", row, code)
        if max_score is None:
            if raw.get("max_score") in (None, ""):
                self.add("missing_max", row, code)
            max_score = 0.0
        numerator = self.text(raw.get("numerator"), "numerator", row, code, limit="label")
        denominator = self.text(raw.get("denominator"), "denominator", row, code, limit="label")
        guidance = self.text(raw.get("guidance"), "guidance", row, code, multi=True)
        method = self.method(raw, row, code, ratio_labels=bool(numerator and denominator))
        rule = raw.get("rule")
        levels_raw, thresholds_raw = raw.get("levels"), raw.get("thresholds")
        if method in (Method.NUMBER, Method.RATIO):
            if thresholds_raw in (None, ""):
                thresholds_raw = rule
            if thresholds_raw in (None, "") and guidance and mentions_thresholds(guidance):
                thresholds_raw = guidance  # the rule written in the 评分标准 column
        elif levels_raw in (None, ""):
            rule_text = "" if rule is None else str(rule)
            if method == Method.LEVELS or _is_levels(rule_text):
                levels_raw = rule
            elif rule_text.strip():  # "有得2分，无不得分" for a yes/no item: prose, kept
                guidance = clean_text(
                    "\n".join(filter(None, [guidance, rule_text])), multiline=True
                )
            if method == Method.LEVELS and levels_raw in (None, "") and _is_levels(guidance):
                levels_raw = guidance  # "优秀:10；良好:8" written in the 评分标准 column
        thresholds, direction, fallback = self.thresholds(
            raw, thresholds_raw, row, code, ratio=method == Method.RATIO, top=max_score
        )
        item = Item(
            code=code,
            text=self.text(raw.get("text"), "text", row, code, multi=True),
            max_score=max_score,
            method=method,
            guidance=guidance,
            evidence_required=_flag(raw.get("evidence_required")),
            weight=self.weight(raw.get("weight"), row, code),
            levels=self.levels(levels_raw, row, code, max_score),
            thresholds=thresholds,
            numerator_label=numerator,
            denominator_label=denominator,
            direction=direction,
            fallback=fallback,
        )
        self.problems.extend(_without_echoes(item_problems(item, row), self.problems, code))
        return item

    def method(self, raw: Mapping[str, Any], row, code: str, *, ratio_labels: bool) -> Method:
        value = raw.get("method")
        if value is None or str(value).strip() == "":
            if raw.get("levels") not in (None, ""):
                return Method.LEVELS
            rule = raw.get("thresholds") or raw.get("rule")
            if raw.get("thresholds") not in (None, "") or (
                isinstance(rule, str) and looks_like_thresholds(rule)
            ):
                return Method.RATIO if ratio_labels else Method.NUMBER
            return Method.LEVELS if rule not in (None, "") else Method.SCORE
        method = method_from_text(value)
        if method is None:
            allowed = "/".join(METHOD_NAMES.values())
            self.add("bad_method", row, code, value=str(value)[:40], allowed=allowed)
            return Method.SCORE
        return method

    def indicator(self, raw: Mapping[str, Any]) -> Indicator:
        row = self.row(raw)
        code = self.code(raw.get("code"), "indicator", row)
        items = [self.item(entry) for entry in self.entries(raw, "items")]
        return Indicator(
            code=code,
            name=self.text(raw.get("name"), "name", row, code),
            items=tuple(item for item in items if item is not None),
            max_score=self.number(raw.get("max_score"), "max_score", row, code),
            weight=self.weight(raw.get("weight"), row, code),
        )

    def dimension(self, raw: Mapping[str, Any]) -> Dimension:
        row = self.row(raw)
        code = self.code(raw.get("code"), "dimension", row)
        entries = self.entries(raw, "indicators")
        return Dimension(
            code=code,
            name=self.text(raw.get("name"), "name", row, code),
            indicators=tuple(self.indicator(entry) for entry in entries),
            max_score=self.number(raw.get("max_score"), "max_score", row, code),
            weight=self.weight(raw.get("weight"), row, code),
        )


# A rule that was written but could not be read is not also "missing".
_ECHOES = {
    "missing_thresholds": {"bad_thresholds", "mixed_directions", "threshold_gap"},
    "missing_levels": {"bad_levels"},
}


def _without_echoes(found: list[Problem], earlier: list[Problem], code: str) -> list[Problem]:
    said = {p.code for p in earlier if p.item == code}
    return [p for p in found if not _ECHOES.get(p.code, set()) & said]


def _is_levels(text: str) -> bool:
    levels, bad = parse_levels(text, None)
    return bool(levels) and not bad


def standard_from_dict(
    data: Any, *, node_rows: NodeRows | None = None, field_rows: FieldRows | None = None
) -> ParseResult:
    """Build and check a standard from plain data. Returns (standard, problems, rows).

    ``node_rows`` maps ``id()`` of each mapping in ``data`` to the row it was read from, and
    ``field_rows`` the row of each of its keys (YAML lines), so problems land on their rows.
    """
    builder = _Builder(node_rows, field_rows)
    if not isinstance(data, Mapping):
        builder.add("bad_format", None)
        return None, builder.problems, builder.rows
    row = builder.row(data)
    entries = builder.entries(data, "dimensions")
    dimensions = tuple(builder.dimension(entry) for entry in entries)
    code = builder.text(data.get("code"), "code", row, "")
    if not code:
        builder.add("missing_code", row, kind="standard")
    standard = Standard(
        code=code,
        name=builder.text(data.get("name"), "name", row, code),
        dimensions=dimensions,
        description=builder.text(data.get("description"), "description", row, code, multi=True),
        check_sums=_flag(data.get("check_sums")) if data.get("check_sums") else False,
        total_max=builder.number(data.get("total_max"), "total_max", row, code),
    )
    checks = validate_standard(standard, builder.rows, items=False, duplicates=False)
    return standard, builder.problems + checks, builder.rows
