"""Rules between the fields of a report form ("connected classrooms <= classrooms").

CONTRACT (foundation; the report-definition helper implements it, the report kind calls it on
save and submit):

    check_rules(rules, values, *, labels) -> list[RuleFailure]

``rules`` are ReportRule rows (or anything with ``left``, ``operator``, ``right``, ``message``);
each side is a field code or a number. ``values`` maps field codes to cleaned answers (numbers
for number/percent, 1/0 for yes/no; a not-applicable answer is the string "na"). A rule whose
field is blank or not applicable is not checked. ``labels`` maps codes to field labels so each
failure names the fields in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RuleFailure:
    fields: tuple[str, ...]  # the field codes the rule names
    message: str  # e.g. "联网教室数（12）应小于等于教室数（10）"


def check_rules(
    rules: Iterable[Any], values: Mapping[str, Any], *, labels: Mapping[str, str]
) -> list[RuleFailure]:
    raise NotImplementedError("reports.rules.check_rules")
