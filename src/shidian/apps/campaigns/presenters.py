"""Shape a sheet for its page: dimensions > indicators > items with answers, scores, comments."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from shidian.engine.scoring import Method
from shidian.engine.scoring.rules import rule_display


def sheet_groups(*, sheet, standard, evidence=(), comments=None) -> list[dict]:
    comments = comments if comments is not None else (sheet.comments or {})
    files: dict[str, list] = {}
    for item_evidence in evidence:
        files.setdefault(item_evidence.item_code, []).append(item_evidence)
    weights = standard.item_weight()
    groups = []
    for dimension in standard.dimensions:
        indicators = []
        for indicator in dimension.indicators:
            items = []
            for item in indicator.items:
                answer = sheet.answers.get(item.code) or {}
                items.append(
                    {
                        "item": item,
                        "method": str(item.method),
                        "answer": answer,
                        "answer_json": json.dumps(answer or None, ensure_ascii=False),
                        "value": answer.get("value", ""),
                        "numerator": answer.get("numerator", ""),
                        "denominator": answer.get("denominator", ""),
                        "score": sheet.scores.get(item.code),
                        "weight": weights[item.code],
                        "rule": rule_display(item),
                        "is_ratio": item.method == Method.RATIO,
                        "choices": _choices(item),
                        "comment": comments.get(item.code, ""),
                        "files": files.get(item.code, []),
                    }
                )
            indicators.append({"indicator": indicator, "items": items})
        groups.append(
            {
                "dimension": dimension,
                "indicators": indicators,
                "score": sheet.dimension_scores.get(dimension.code, 0),
                "max": sum(
                    it.max_score * weights[it.code]
                    for ind in dimension.indicators
                    for it in ind.items
                ),
            }
        )
    return groups


def _choices(item) -> list[tuple[str, str]] | None:
    if item.method == Method.LEVELS:
        return [(level.label, f"{level.label}（{level.score:g}）") for level in item.levels]
    if item.method in (Method.YES_NO, Method.VETO):
        return [("是", _("是")), ("否", _("否"))]
    return None


def answer_text(answer: dict | None) -> str:
    if not answer:
        return ""
    if "numerator" in answer:
        return f"{answer.get('numerator', '')}/{answer.get('denominator', '')}"
    value = answer.get("value")
    return "" if value is None else str(value)


def answers_from_post(standard, data) -> dict:
    """Raw answers from the sheet form (fields a-CODE, n-CODE, d-CODE)."""
    raw = {}
    for item in standard.items():
        if item.method == Method.RATIO:
            raw[item.code] = {
                "numerator": data.get(f"n-{item.code}", ""),
                "denominator": data.get(f"d-{item.code}", ""),
            }
        else:
            raw[item.code] = {"value": data.get(f"a-{item.code}", "")}
    return raw
