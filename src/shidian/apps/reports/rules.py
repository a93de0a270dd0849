"""Rules between the fields of a report form ("connected classrooms <= classrooms").

CONTRACT (foundation; the report-definition helper implements it, the report kind calls it on
save and submit):

    check_rules(rules, values, *, labels) -> list[RuleFailure]

``rules`` are ReportRule rows (or anything with ``left``, ``operator``, ``right``, ``message``);
each side is a field code or a number. ``values`` maps field codes to cleaned answers (numbers
for number/percent, 1/0 for yes/no; a not-applicable answer is the string "na"). A rule whose
field is blank or not applicable is not checked. ``labels`` maps codes to field labels so each
failure names the fields in words.

The evaluation itself is ``shidian.engine.formrules`` (pure); this module words the failures
in the user's language. ``rule_text`` words a rule itself for the rules editor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.engine.formrules import Side, evaluate, format_number, parse_side

# "<left> should be <= <right>", the sides already worded ("联网教室数（12）").
RELATIONS = {
    "le": gettext_lazy("%(left)s应小于等于%(right)s"),
    "lt": gettext_lazy("%(left)s应小于%(right)s"),
    "ge": gettext_lazy("%(left)s应大于等于%(right)s"),
    "gt": gettext_lazy("%(left)s应大于%(right)s"),
    "eq": gettext_lazy("%(left)s应等于%(right)s"),
    "ne": gettext_lazy("%(left)s应不等于%(right)s"),
}


@dataclass(frozen=True)
class RuleFailure:
    fields: tuple[str, ...]  # the field codes the rule names
    message: str  # e.g. "联网教室数（12）应小于等于教室数（10）"


def _side_text(side: Side, value: float | None, labels: Mapping[str, str]) -> str:
    if side.code is None:
        return format_number(side.number)
    label = labels.get(side.code, side.code)
    if value is None:
        return label
    return _("%(label)s（%(value)s）") % {"label": label, "value": format_number(value)}


def rule_text(rule: Any, labels: Mapping[str, str]) -> str:
    """The rule in words without values: "联网教室数应小于等于教室数"."""
    codes = list(labels)
    left, right = parse_side(rule.left, codes), parse_side(rule.right, codes)
    return str(RELATIONS[rule.operator]) % {
        "left": _side_text(left, None, labels),
        "right": _side_text(right, None, labels),
    }


def check_rules(
    rules: Iterable[Any], values: Mapping[str, Any], *, labels: Mapping[str, str]
) -> list[RuleFailure]:
    rules = list(rules)
    failed = evaluate([(r.left, r.operator, r.right) for r in rules], values, codes=labels.keys())
    failures = []
    for item in failed:
        rule = rules[item.index]
        detail = str(RELATIONS[rule.operator]) % {
            "left": _side_text(item.left, item.left_value, labels),
            "right": _side_text(item.right, item.right_value, labels),
        }
        custom = (getattr(rule, "message", "") or "").strip()
        message = (
            _("%(message)s：%(detail)s") % {"message": custom, "detail": detail}
            if custom
            else detail
        )
        codes = tuple(s.code for s in (item.left, item.right) if s.code is not None)
        failures.append(RuleFailure(fields=codes, message=message))
    return failures
