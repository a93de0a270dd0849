"""Check a standard and explain every problem with the row it came from."""

from __future__ import annotations

from collections.abc import Mapping

from shidian.engine.scoring.model import Method, Problem, Standard

TOLERANCE = 1e-6


def validate_standard(
    standard: Standard, rows: Mapping[str, int] | None = None, *, item_duplicates: bool = True
) -> list[Problem]:
    """Every problem in ``standard``; ``rows`` maps a code to its source row for the messages."""
    rows = rows or {}
    problems: list[Problem] = []
    seen: dict[str, str] = {}

    def add(code: str, message: str, key: str, **params) -> None:
        problems.append(Problem(code, message, row=rows.get(key), item=key, params=params))

    if not standard.dimensions:
        add("empty", "the standard has no dimensions", "")
    for dimension in standard.dimensions:
        for code, kind in [(dimension.code, "dimension")]:
            if code in seen:
                add("duplicate_code", f"duplicate code {code} ({kind})", code, value=code)
            seen[code] = kind
        if not dimension.indicators:
            add("empty", f"dimension {dimension.code} has no indicators", dimension.code)
        for indicator in dimension.indicators:
            if indicator.code in seen:
                add("duplicate_code", f"duplicate code {indicator.code}", indicator.code)
            seen[indicator.code] = "indicator"
            if not indicator.items:
                add("empty", f"indicator {indicator.code} has no items", indicator.code)
            for item in indicator.items:
                problems.extend(_item_problems(item, rows, item_duplicates and item.code in seen))
                seen[item.code] = "item"
            if standard.check_sums and indicator.max_score is not None:
                total = sum(i.max_score * i.weight for i in indicator.items)
                if abs(total - indicator.max_score) > TOLERANCE:
                    add(
                        "sum_mismatch",
                        f"items of {indicator.code} add up to {total:g}, "
                        f"not {indicator.max_score:g}",
                        indicator.code,
                    )
        if standard.check_sums and dimension.max_score is not None:
            total = sum(
                (i.max_score if i.max_score is not None else sum(x.max_score for x in i.items))
                * i.weight
                for i in dimension.indicators
            )
            if abs(total - dimension.max_score) > TOLERANCE:
                add(
                    "sum_mismatch",
                    f"indicators of {dimension.code} add up to {total:g}, "
                    f"not {dimension.max_score:g}",
                    dimension.code,
                )
    if standard.check_sums and standard.total_max is not None:
        total = standard.max_total()
        if abs(total - standard.total_max) > TOLERANCE:
            add("sum_mismatch", f"items add up to {total:g}, not {standard.total_max:g}", "")
    return problems


def _item_problems(item, rows, duplicate: bool) -> list[Problem]:
    out: list[Problem] = []
    row = rows.get(item.code)

    def add(code: str, message: str) -> None:
        out.append(Problem(code, f"{item.code}: {message}", row=row, item=item.code))

    if duplicate:
        add("duplicate_code", "duplicate code")
    if not item.text.strip():
        add("missing_text", "the item has no text")
    if item.max_score < 0:
        add("bad_max", "the maximum cannot be negative")
    if item.weight < 0:
        add("bad_weight", "the weight cannot be negative")
    if item.method == Method.LEVELS:
        if not item.levels:
            add("missing_levels", "method 'levels' needs a level table such as A=10;B=8;C=5;D=0")
        labels = [level.label.upper() for level in item.levels]
        if len(set(labels)) != len(labels):
            add("duplicate_level", "the level table repeats a level")
        for level in item.levels:
            if level.score < 0 or level.score > item.max_score + TOLERANCE:
                add(
                    "level_out_of_range",
                    f"level {level.label} scores {level.score:g}, outside 0..{item.max_score:g}",
                )
    if item.method in (Method.NUMBER, Method.RATIO):
        if not item.thresholds:
            add("missing_thresholds", "needs thresholds such as >=0.9:10;>=0.6:6")
        for threshold in item.thresholds:
            if threshold.score < 0 or threshold.score > item.max_score + TOLERANCE:
                add(
                    "threshold_out_of_range",
                    f"threshold {threshold.minimum:g} scores {threshold.score:g}, "
                    f"outside 0..{item.max_score:g}",
                )
    if item.method == Method.RATIO and not (item.numerator_label and item.denominator_label):
        add("missing_ratio_labels", "a ratio item names its numerator and denominator")
    if item.method == Method.VETO and item.max_score != 0:
        add("veto_max", "a veto item carries no score: set its maximum to 0")
    return out
