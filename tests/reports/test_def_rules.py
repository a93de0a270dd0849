"""check_rules: a failed rule names its fields by label and value; blanks and "na" skip."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation

from shidian.apps.reports.rules import check_rules

LABELS = {"connected": "联网教室数", "classrooms": "教室数", "share": "培训教师占比"}


@dataclass
class Rule:
    left: str
    operator: str
    right: str
    message: str = ""


def test_failure_names_fields_with_values():
    failures = check_rules(
        [Rule("connected", "le", "classrooms")], {"connected": 12, "classrooms": 10}, labels=LABELS
    )
    assert len(failures) == 1
    assert failures[0].fields == ("connected", "classrooms")
    assert failures[0].message == "联网教室数（12）应小于等于教室数（10）"


def test_passing_blank_and_na_are_not_failures():
    rules = [Rule("connected", "le", "classrooms")]
    assert check_rules(rules, {"connected": 8, "classrooms": 10}, labels=LABELS) == []
    assert check_rules(rules, {"connected": "na", "classrooms": 10}, labels=LABELS) == []
    assert check_rules(rules, {"connected": None, "classrooms": 10}, labels=LABELS) == []
    assert check_rules(rules, {"classrooms": 10}, labels=LABELS) == []


def test_number_side_and_custom_message():
    failures = check_rules(
        [Rule("share", "le", "100", message="占比不能超过100%")], {"share": 120}, labels=LABELS
    )
    assert failures[0].fields == ("share",)
    assert failures[0].message == "占比不能超过100%：培训教师占比（120）应小于等于100"


def test_english():
    with translation.override("en"):
        failures = check_rules(
            [Rule("connected", "lt", "classrooms")],
            {"connected": 10, "classrooms": 10},
            labels=LABELS,
        )
    assert "联网教室数" in failures[0].message and "10" in failures[0].message
