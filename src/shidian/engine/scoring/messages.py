"""Every problem the scoring engine reports: a stable code, its parameters and an English text.

The engine and the command line speak English (``MESSAGES``). The web never shows these texts:
it translates the code with its parameters from one table
(``shidian.apps.core.engine_messages``), and a test keeps that table covering every code here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shidian.engine.errors import EngineInputError
from shidian.engine.scoring.model import Problem

MESSAGES: dict[str, str] = {
    # the file as a whole
    "too_large": "the file is larger than {limit_mb} MB",
    "bad_type": "use an .xlsx or .yaml file",
    "bad_file": "not a readable XLSX file ({detail})",
    "bad_yaml": "not valid YAML: {detail}",
    "bad_format": "the file must describe one standard (code, name, dimensions)",
    "not_a_list": "'{field}' must be a list with one '- code: ...' entry each",
    "not_a_mapping": "entry {index} of '{field}' must be a mapping (code: ..., name: ...)",
    "missing_header": "no header row with 评分要点 and 分值 found",
    "missing_dimension": "the first item row names no dimension (一级指标)",
    "missing_indicator": "the item row names no indicator (二级指标)",
    "no_dimensions": "the standard has no dimensions",
    "no_indicators": "{item}: the dimension has no indicators",
    "no_items": "{item}: the indicator has no items",
    "total_mismatch": "items add up to {total}, not {declared}",
    # one field of a row
    "missing_code": "a {kind} has no code",
    "duplicate_code": "{item}: duplicate code (first on row {first})",
    "not_text": "{item}: {field} must be text, not a list or mapping",
    "too_long": "{item}: {field} has {length} characters, more than the {limit} allowed",
    "not_a_number": "{item}: {field} '{value}' is not a number",
    "missing_max": "{item}: the maximum score is missing",
    "missing_text": "{item}: the item has no text",
    "bad_max": "{item}: the maximum cannot be negative",
    "bad_weight": "{item}: the weight cannot be negative",
    "bad_method": "{item}: scoring method '{value}' is not one of {allowed}",
    "bad_direction": "{item}: direction '{value}' must be higher or lower",
    "bad_levels": "{item}: level '{value}' needs a score, e.g. A=10",
    "missing_levels": "{item}: method 'levels' needs a level table such as A=10;B=8;C=5;D=0",
    "duplicate_level": "{item}: the level table repeats a level",
    "level_out_of_range": "{item}: level {level} scores {score}, outside 0..{max}",
    "bad_thresholds": "{item}: threshold '{value}' is not understood (write e.g. ≥95%:5;其他:0)",
    "mixed_directions": (
        "{item}: threshold '{value}' contradicts the others (≥ and ≤ overlap): "
        "use one direction and 其他 for the rest"
    ),
    "threshold_gap": (
        "{item}: threshold '{value}' leaves the values between it and the others without a "
        "score: give every band a score, or write 其他 for the rest"
    ),
    "missing_thresholds": "{item}: needs thresholds such as ≥90%:10;≥60%:6;其他:0",
    "threshold_out_of_range": "{item}: threshold {bound} scores {score}, outside 0..{max}",
    "fallback_out_of_range": "{item}: the fallback (其他) scores {score}, outside 0..{max}",
    "ratio_bound_above_one": (
        "{item}: a ratio is at most 1, so threshold {bound} can never be told apart: "
        "write {bound}% or a fraction such as 0.95"
    ),
    "missing_ratio_labels": "{item}: a ratio item names its numerator and denominator",
    "veto_max": "{item}: a veto item carries no score: set its maximum to 0",
    "sum_mismatch": "{item}: the parts add up to {total}, not {declared}",
    # answers (raised by score_item as AnswerError, reported by score_sheet as problems)
    "answer_not_a_number": "'{value}' is not a number",
    "answer_out_of_range": "the score must be between {min} and {max}",
    "answer_negative": "the number cannot be negative",
    "answer_ratio_exceeds": "{numerator} cannot exceed {denominator}",
    "answer_bad_level": "level '{value}' is not one of {allowed}",
    "answer_not_yes_no": "'{value}' is not yes or no",
    "answer_unknown_method": "unknown scoring method {method}",
}


def _shown(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else value


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def message(code: str, params: Mapping[str, Any]) -> str:
    """The English text of ``code`` with ``params`` filled in (numbers without trailing .0)."""
    template = MESSAGES.get(code, code)
    return template.format_map(_Params({k: _shown(v) for k, v in params.items()}))


def problem(code: str, *, row: int | None = None, item: str = "", **params: Any) -> Problem:
    """A :class:`Problem` whose message and params come from one place."""
    values = {"item": item, **params}
    return Problem(code, message(code, values), row=row, item=item, params=values)


class AnswerError(EngineInputError):
    """An answer that does not fit its item's method; ``code`` says why (``answer_*``)."""

    def __init__(self, code: str, **params: Any):
        super().__init__(message(code, params), code=code, params=params)
