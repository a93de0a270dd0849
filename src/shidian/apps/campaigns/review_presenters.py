"""Shape a sheet for the reviewer's page: per item the school's answer, its evidence, its
self-score, the reviewed scores the viewer may see, and the reviewer's own input."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from shidian.engine.scoring import Method, Standard
from shidian.engine.scoring.formats import levels_text, thresholds_text
from shidian.engine.scoring.score import is_vetoed, parse_yes_no


def school_answer(item, answer: Mapping[str, Any] | None) -> str:
    """The unit's answer as the reviewer reads it: "A（8 分）", "是", "1200", "36 / 40"."""
    if not answer:
        return ""
    if item.method == Method.RATIO:
        return _("%(num_label)s %(num)s / %(den_label)s %(den)s") % {
            "num_label": item.numerator_label or _("分子"),
            "num": _number(answer.get("numerator")),
            "den_label": item.denominator_label or _("分母"),
            "den": _number(answer.get("denominator")),
        }
    value = answer.get("value")
    if value in (None, ""):
        return ""
    if item.method in (Method.YES_NO, Method.VETO):
        try:
            flag = parse_yes_no(value)
        except ValueError:
            flag = None
        if flag is not None:
            return _("是") if flag else _("否")
    if item.method == Method.LEVELS:
        level = next((lv for lv in item.levels if lv.label.upper() == str(value).upper()), None)
        if level is not None:
            return _("%(level)s（%(score)s 分）") % {
                "level": level.label,
                "score": f"{level.score:g}",
            }
    return _number(value)


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def review_groups(
    *,
    sheet,
    standard: Standard,
    gaps: list[dict],
    evidence: Iterable = (),
    mine=None,
    posted: Mapping[str, str] | None = None,
) -> list[dict]:
    """Dimensions > indicators > items for review.html. ``gaps`` comes from
    selectors.review_gaps (already limited to the reviews the viewer may see); ``posted`` keeps
    what the reviewer typed when a save was refused."""
    files: dict[str, list] = {}
    for one in evidence:
        files.setdefault(one.item_code, []).append(one)
    by_code = {row["code"]: row for row in gaps}
    own_scores = mine.item_scores if mine else {}
    own_vetoes = mine.veto_answers if mine else {}
    groups = []
    for dimension in standard.dimensions:
        indicators = []
        for indicator in dimension.indicators:
            items = []
            for item in indicator.items:
                answer = sheet.answers.get(item.code)
                is_veto = item.method == Method.VETO
                if posted is not None:
                    value = posted.get(item.code, "")
                elif is_veto:
                    value = own_vetoes.get(item.code, "")
                else:
                    value = _number(own_scores.get(item.code, ""))
                gap = by_code.get(item.code, {})
                items.append(
                    {
                        "item": item,
                        "is_veto": is_veto,
                        "answer": school_answer(item, answer),
                        "school_vetoed": is_vetoed(item, answer),
                        "self": sheet.scores.get(item.code),
                        "rule": levels_text(item.levels) or thresholds_text(item.thresholds),
                        "files": files.get(item.code, []),
                        "reviewed": [_number(v) for v in gap.get("reviewed", [])],
                        "gap": gap.get("gap"),
                        "value": value,
                    }
                )
            indicators.append({"indicator": indicator, "items": items})
        groups.append(
            {
                "dimension": dimension,
                "indicators": indicators,
                "score": sheet.dimension_scores.get(dimension.code, 0),
            }
        )
    return groups
