"""A standard as plain data and as YAML text (read back through :mod:`.build`).

YAML problems carry the line they stand on: the loader remembers where each mapping and each
key starts.
"""

from __future__ import annotations

from typing import Any

import yaml

from shidian.engine.scoring.build import ParseResult, standard_from_dict
from shidian.engine.scoring.messages import problem
from shidian.engine.scoring.model import Direction, Item, Standard
from shidian.engine.scoring.rules import METHOD_NAMES, levels_text, thresholds_text

__all__ = [
    "METHOD_NAMES",
    "ParseResult",
    "dump_yaml",
    "item_to_dict",
    "levels_text",
    "load_yaml",
    "standard_from_dict",
    "standard_to_dict",
    "thresholds_text",
]


# --- plain data out ------------------------------------------------------------------------------
def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


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
        data["thresholds"] = [
            [_num(t.bound), _num(t.score), *(["strict"] if t.strict else [])]
            for t in item.thresholds
        ]
    if item.direction != Direction.HIGHER:
        data["direction"] = item.direction.value
    if item.fallback:
        data["fallback"] = _num(item.fallback)
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


# --- YAML ----------------------------------------------------------------------------------------
def dump_yaml(standard: Standard) -> str:
    return yaml.safe_dump(
        standard_to_dict(standard), allow_unicode=True, sort_keys=False, width=100
    )


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line each mapping starts on (for the problems' rows)."""

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self.node_rows: dict[int, int] = {}
        self.field_rows: dict[tuple[int, str], int] = {}

    def construct_line_map(self, node: yaml.MappingNode):
        data: dict[Any, Any] = {}
        self.node_rows[id(data)] = node.start_mark.line + 1
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                self.field_rows[(id(data), str(key_node.value))] = key_node.start_mark.line + 1
        yield data
        data.update(self.construct_mapping(node))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_line_map)


def load_yaml(text: str | bytes) -> ParseResult:
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        return None, [problem("bad_yaml", row=row, detail=str(exc)[:300])], {}
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. a mapping used as a key
        return None, [problem("bad_yaml", detail=type(exc).__name__)], {}
    finally:
        loader.dispose()
    return standard_from_dict(data, node_rows=loader.node_rows, field_rows=loader.field_rows)
