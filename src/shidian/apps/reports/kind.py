"""The periodic report kind ("periodic_report") of the submission mechanism.

Its items are the form's fields (codes). An answer is stored as: a float for number and percent
(0 stays 0), 1/0 for yes/no, the chosen label for choice, the text for text, the file's name
for file (the file itself is an ``Evidence`` on the same item), and the string ``"na"`` for
"not applicable" where the field allows it: zero and not applicable never mix. On submit (and
resubmit) the answers are copied into ``ReportValue`` rows for the indexed queries.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shidian.apps.reports.models import FieldType, ReportField, ReportRule, ReportValue
from shidian.apps.submissions.kinds import Computed, FormSpec, register_kind
from shidian.textclean import clean_text

KIND = "periodic_report"
NA = "na"
YES = ("1", "yes", "true", "是", "y")
NO = ("0", "no", "false", "否", "n")
TEXT_MAX = 2000


def period_of(round_obj):
    """The ReportPeriod a round belongs to (cached on the round)."""
    cached = getattr(round_obj, "_report_period", None)
    if cached is None:
        cached = round_obj.report_period
        round_obj._report_period = cached
    return cached


def fields_of(round_obj) -> list[ReportField]:
    cached = getattr(round_obj, "_report_fields", None)
    if cached is None:
        cached = list(
            ReportField.objects.filter(form_id=period_of(round_obj).form_id)  # scoping: ok held
        )
        round_obj._report_fields = cached
    return cached


def field_map(round_obj) -> dict[str, ReportField]:
    return {f.code: f for f in fields_of(round_obj)}


def _number(field: ReportField, raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValidationError(_("“%(label)s”应为数字。") % {"label": field.label})
    text = str(raw).strip().replace(",", "").replace("，", "")
    if field.type == FieldType.PERCENT:
        text = text.rstrip("%％").strip()
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(_("“%(label)s”应为数字。") % {"label": field.label}) from None
    if not math.isfinite(value):
        raise ValidationError(_("“%(label)s”应为数字。") % {"label": field.label})
    low, high = field.minimum, field.maximum
    if field.type == FieldType.PERCENT:
        low = 0.0 if low is None else max(low, 0.0)
        high = 100.0 if high is None else min(high, 100.0)
    if low is not None and value < low:
        raise ValidationError(
            _("“%(label)s”不能小于 %(min)s。") % {"label": field.label, "min": _fmt(low)}
        )
    if high is not None and value > high:
        raise ValidationError(
            _("“%(label)s”不能大于 %(max)s。") % {"label": field.label, "max": _fmt(high)}
        )
    return value


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def clean_field(field: ReportField, raw: Any) -> Any:
    """The stored answer of one field (None when blank); ValidationError naming the field."""
    if isinstance(raw, str):
        raw = raw.strip()
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and raw.lower() == NA:
        if not field.allow_na:
            raise ValidationError(_("“%(label)s”不能填“不适用”。") % {"label": field.label})
        return NA
    kind = field.type
    if kind in (FieldType.NUMBER, FieldType.PERCENT):
        return _number(field, raw)
    if kind == FieldType.YES_NO:
        text = str(int(raw) if isinstance(raw, (int, float)) else raw).strip().lower()
        if text in YES:
            return 1
        if text in NO:
            return 0
        raise ValidationError(_("“%(label)s”请选择“是”或“否”。") % {"label": field.label})
    if kind == FieldType.CHOICE:
        text = str(raw)
        if text not in (field.choices or []):
            raise ValidationError(_("“%(label)s”请从选项中选择。") % {"label": field.label})
        return text
    text = clean_text(str(raw), multiline=kind == FieldType.TEXT)
    if len(text) > (TEXT_MAX if kind == FieldType.TEXT else 255):
        raise ValidationError(_("“%(label)s”内容过长。") % {"label": field.label})
    return text or None


def value_columns(field: ReportField, answer: Any) -> dict[str, Any]:
    """The ReportValue columns of one stored answer."""
    if answer == NA:
        return {"number": None, "text": "", "na": True}
    if field.type in (FieldType.NUMBER, FieldType.PERCENT, FieldType.YES_NO):
        return {"number": float(answer), "text": "", "na": False}
    return {"number": None, "text": str(answer), "na": False}


def rule_failures(round_obj, answers: Mapping[str, Any]) -> list:
    """The form's rule failures for these answers (reports.rules.check_rules)."""
    from shidian.apps.reports import rules

    form_rules = list(
        ReportRule.objects.filter(form_id=period_of(round_obj).form_id)  # scoping: ok held
    )
    if not form_rules:
        return []
    labels = {f.code: f.label for f in fields_of(round_obj)}
    return rules.check_rules(form_rules, answers, labels=labels)


class PeriodicReportForm(FormSpec):
    kind = KIND
    label = "调度报表"
    audit_prefix = "reports.report"
    fill_template = "reports/fill_report.html"

    def item_codes(self, round_obj) -> list[str]:
        return [f.code for f in fields_of(round_obj)]

    def clean_item(self, round_obj, code: str, raw: Any) -> Any:
        field = field_map(round_obj).get(code)
        if field is None:
            raise ValidationError(_("没有这个字段：%(code)s") % {"code": code})
        return clean_field(field, raw)

    def compute(self, round_obj, answers: Mapping[str, Any]) -> Computed:
        return Computed(answered=len(answers))

    def submit_problems(self, submission, *, evidence_codes: set[str]) -> list[str]:
        """Required fields left blank (a file field counts when a file is attached), then the
        rules that fail, each naming its fields."""
        problems = []
        for field in fields_of(submission.round):
            if not field.required or field.code in submission.answers:
                continue
            if field.type == FieldType.FILE and field.code in evidence_codes:
                continue
            problems.append(_("“%(label)s”尚未填写") % {"label": field.label})
        problems.extend(f.message for f in rule_failures(submission.round, submission.answers))
        return problems

    def evidence_codes(self, round_obj) -> set[str]:
        return {f.code for f in fields_of(round_obj) if f.type == FieldType.FILE}

    def on_submitted(self, submission, *, user) -> None:
        copy_values(submission)

    def on_returned(self, submission, *, base_url: str = "") -> None:
        from shidian.apps.reports.tasks import notify_returned

        notify_returned(submission=submission, base_url=base_url)


def copy_values(submission) -> int:
    """Replace the unit's values of the period by the submission's answers (one delete, one
    bulk insert, in the caller's transaction)."""
    period = period_of(submission.round)
    fields = field_map(submission.round)
    ReportValue.objects.filter(  # scoping: ok the submission is held
        period=period, unit_id=submission.unit_id
    ).delete()
    rows = [
        ReportValue(
            period=period,
            field=fields[code],
            unit_id=submission.unit_id,
            submission=submission,
            **value_columns(fields[code], answer),
        )
        for code, answer in submission.answers.items()
        if code in fields
    ]
    ReportValue.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


PERIODIC_REPORT = register_kind(PeriodicReportForm())
