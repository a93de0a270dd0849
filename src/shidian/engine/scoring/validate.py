"""Check a standard and explain every problem with the row it came from."""

from __future__ import annotations

from collections.abc import Mapping

from shidian.engine.scoring.messages import problem
from shidian.engine.scoring.model import Item, Method, Problem, Standard

TOLERANCE = 1e-6


def validate_standard(
    standard: Standard,
    rows: Mapping[str, int] | None = None,
    *,
    items: bool = True,
    duplicates: bool = True,
) -> list[Problem]:
    """Every problem in ``standard``; ``rows`` maps a code to its source row for the messages.

    The file readers check each item and each code on its own row while they build the tree, so
    they pass ``items=False, duplicates=False`` and keep only the structure and sum checks here.
    """
    rows = rows or {}
    problems: list[Problem] = []
    seen: set[str] = set()

    def add(code: str, key: str, **params) -> None:
        problems.append(problem(code, row=rows.get(key), item=key, **params))

    def check_code(code: str) -> None:
        if duplicates and code in seen:
            add("duplicate_code", code, first=rows.get(code, "?"))
        seen.add(code)

    if not standard.dimensions:
        add("no_dimensions", "")
    for dimension in standard.dimensions:
        check_code(dimension.code)
        if not dimension.indicators:
            add("no_indicators", dimension.code)
        for indicator in dimension.indicators:
            check_code(indicator.code)
            if not indicator.items:
                add("no_items", indicator.code)
            for item in indicator.items:
                check_code(item.code)
                if items:
                    problems.extend(item_problems(item, rows.get(item.code)))
            if standard.check_sums and indicator.max_score is not None:
                total = sum(i.max_score * i.weight for i in indicator.items)
                if abs(total - indicator.max_score) > TOLERANCE:
                    add("sum_mismatch", indicator.code, total=total, declared=indicator.max_score)
        if standard.check_sums and dimension.max_score is not None:
            total = sum(
                (i.max_score if i.max_score is not None else sum(x.max_score for x in i.items))
                * i.weight
                for i in dimension.indicators
            )
            if abs(total - dimension.max_score) > TOLERANCE:
                add("sum_mismatch", dimension.code, total=total, declared=dimension.max_score)
    if standard.check_sums and standard.total_max is not None:
        total = standard.max_total()
        if abs(total - standard.total_max) > TOLERANCE:
            add("total_mismatch", "", total=total, declared=standard.total_max)
    return problems


def item_problems(item: Item, row: int | None = None) -> list[Problem]:
    """What is wrong with one item on its own (not its code's uniqueness)."""
    out: list[Problem] = []

    def add(code: str, **params) -> None:
        out.append(problem(code, row=row, item=item.code, **params))

    top = item.max_score + TOLERANCE
    if not item.text.strip():
        add("missing_text")
    if item.max_score < 0:
        add("bad_max")
    if item.weight < 0:
        add("bad_weight")
    if item.method == Method.LEVELS:
        if not item.levels:
            add("missing_levels")
        labels = [level.label.upper() for level in item.levels]
        if len(set(labels)) != len(labels):
            add("duplicate_level")
        for level in item.levels:
            if level.score < 0 or level.score > top:
                add("level_out_of_range", level=level.label, score=level.score, max=item.max_score)
    if item.method in (Method.NUMBER, Method.RATIO):
        if not item.thresholds:
            add("missing_thresholds")
        for threshold in item.thresholds:
            if threshold.score < 0 or threshold.score > top:
                add(
                    "threshold_out_of_range",
                    bound=threshold.bound,
                    score=threshold.score,
                    max=item.max_score,
                )
            if item.method == Method.RATIO and threshold.bound > 1 + TOLERANCE:
                add("ratio_bound_above_one", bound=threshold.bound)
        if item.fallback < 0 or item.fallback > top:
            add("fallback_out_of_range", score=item.fallback, max=item.max_score)
    if item.method == Method.RATIO and not (item.numerator_label and item.denominator_label):
        add("missing_ratio_labels")
    if item.method == Method.VETO and item.max_score != 0:
        add("veto_max")
    return out
