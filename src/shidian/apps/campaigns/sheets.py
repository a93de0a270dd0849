"""The self-assessment kind ("self_assessment") of the submission mechanism, and the sheet
writes campaigns' pages call: save (one item or all), submit, return with comments, accept.

The state machine, optimistic locking, revisions and evidence are the submissions app's
(``submissions.services``); this module says what a self-assessment answer is (one per scoring
item of the campaign's standard version, scored by the engine) and what stops a submit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shidian.apps.campaigns.models import KIND, Sheet
from shidian.apps.core.engine_messages import describe
from shidian.apps.submissions import services as submission_services
from shidian.apps.submissions.kinds import Computed, FormSpec, register_kind
from shidian.engine.scoring import (
    AnswerError,
    Method,
    missing_answers,
    score_item,
    score_sheet,
)
from shidian.textclean import clean_value

SheetConflict = submission_services.SubmissionConflict

SCALARS = (str, int, float, bool, type(None))


def clean_answer(item, raw: Mapping[str, Any] | None) -> dict | None:
    """Normalise an answer for storage; raise ValidationError naming the problem.

    Every way in (autosave, the form, the workbook upload, the folder ingest) passes through
    here, so this is where control characters pasted from Word or left by other systems are
    dropped: stored, they would break every XLSX written from the sheet.
    """
    if not raw:
        return None
    if not isinstance(raw, Mapping) or not all(isinstance(v, SCALARS) for v in raw.values()):
        raise ValidationError(_("填报内容格式不正确。"))
    raw = {key: clean_value(value) for key, value in raw.items()}
    if item.method == Method.RATIO:
        answer = {
            "numerator": _clean_number(raw.get("numerator")),
            "denominator": _clean_number(raw.get("denominator")),
        }
        if answer["numerator"] is None and answer["denominator"] is None:
            return None
    else:
        value = raw.get("value")
        if value in (None, ""):
            return None
        if item.method in (Method.SCORE, Method.NUMBER):
            value = _clean_number(value)
        elif item.method == Method.LEVELS:
            value = str(value).upper()
        answer = {"value": value}
    try:
        score_item(item, answer)
    except AnswerError as exc:  # told from the one table of engine problems, never in English
        raise ValidationError(describe(exc), code=exc.code) from exc
    return answer


def _clean_number(value: Any) -> float | int | str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip().rstrip("%"))
    except ValueError:
        return str(value)  # score_item reports it
    return int(number) if number.is_integer() else number


def _item(round_obj, code: str):
    return next((i for i in round_obj.version.as_standard().items() if i.code == code), None)


class SelfAssessmentForm(FormSpec):
    """One answer per scoring item of the campaign's standard version, scored by the engine."""

    kind = KIND
    audit_prefix = "campaigns.sheet"
    fill_template = "campaigns/sheet.html"
    has_workbook = True

    def item_codes(self, round_obj) -> list[str]:
        return [item.code for item in round_obj.version.as_standard().items()]

    def refusal(self, code: str) -> str:
        return {
            "not_editable": _("自查表已提交，不能修改。"),
            "closed": _("本次自查赋分已结束。"),
            "late": _("已过截止时间，本次不接受逾期提交。"),
            "not_submitted": _("只能处理已提交的自查表。"),
            "return": _("只能退回已提交的自查表。"),
            "accept": _("只能通过已提交的自查表。"),
            "unknown_item": _("没有这个评分要点：%(code)s"),
        }[code]

    def clean_item(self, round_obj, code: str, raw: Any) -> Any:
        item = _item(round_obj, code)
        if item is None:
            raise ValidationError(_("没有这个评分要点：%(code)s") % {"code": code})
        return clean_answer(item, raw)

    def clean_form(self, round_obj, raw: Mapping[str, Any]) -> tuple[dict, dict[str, str]]:
        return validate_answers(round_obj.version.as_standard(), raw)

    def compute(self, round_obj, answers: Mapping[str, Any]) -> Computed:
        result = score_sheet(round_obj.version.as_standard(), answers)
        return Computed(
            scores={code: score for code, score in result.items.items() if score is not None},
            groups={code: round(v, 4) for code, v in result.dimensions.items()},
            total=result.total,
            vetoed=result.vetoed,
            answered=result.answered,
        )

    def submit_problems(self, submission, *, evidence_codes: set[str]) -> list[str]:
        """Unanswered items, missing required evidence."""
        standard = submission.round.version.as_standard()
        problems = [
            _("%(code)s 尚未填写") % {"code": code}
            for code in missing_answers(standard, submission.answers)
        ]
        for item in standard.items():
            if item.evidence_required and item.code not in evidence_codes:
                problems.append(_("%(code)s 需要上传佐证材料") % {"code": item.code})
        return problems

    def on_returned(self, submission, *, base_url: str = "") -> None:
        from shidian.apps.campaigns.notices import RETURN
        from shidian.apps.campaigns.services import notify_coordinators

        notify_coordinators(
            campaign=submission.round,
            unit_ids=[submission.unit_id],
            kind=RETURN,
            base_url=base_url,
        )

    def on_submitted(self, submission, *, user) -> None:
        from shidian.apps.campaigns.events import sheet_submitted

        sheet_submitted(submission)

    def build_workbook(self, submission) -> bytes:
        from shidian.apps.campaigns.workbook import build_workbook

        return build_workbook(
            sheet=submission,
            standard=submission.round.version.as_standard(),
            title=f"{submission.round.name} · {submission.unit.name}",
        )


SELF_ASSESSMENT = register_kind(SelfAssessmentForm())


def validate_answers(standard, raw: Mapping[str, Any]) -> tuple[dict, dict[str, str]]:
    """Clean every answer; returns (answers, {code: problem})."""
    answers, problems = {}, {}
    for item in standard.items():
        try:
            cleaned = clean_answer(item, raw.get(item.code))
        except ValidationError as exc:
            problems[item.code] = " ".join(exc.messages)
            continue
        if cleaned is not None:
            answers[item.code] = cleaned
    return answers, problems


def sheet_save_item(
    *,
    sheet: Sheet,
    user,
    code: str,
    answer: Mapping[str, Any] | None,
    base_version: int,
    expected: Mapping[str, Any] | None = None,
) -> Sheet:
    """Autosave one item. ``expected`` is the answer the user's page started from."""
    return submission_services.submission_save_item(
        submission=sheet,
        user=user,
        code=code,
        answer=answer,
        base_version=base_version,
        expected=expected,
    )


def sheet_save_all(
    *,
    sheet: Sheet,
    user,
    answers: Mapping[str, Any],
    base_version: int,
    kind: str = "save",
    audit: bool = True,
    prevalidated: bool = False,
) -> Sheet:
    """Replace all answers (the no-JavaScript form and the workbook upload)."""
    return submission_services.submission_save(
        submission=sheet,
        user=user,
        answers=answers,
        base_version=base_version,
        kind=kind,
        audit=audit,
        prevalidated=prevalidated,
    )


def submit_problems(sheet: Sheet) -> list[str]:
    """What stops a sheet from being submitted: unanswered items, missing required evidence."""
    return submission_services.submit_problems(sheet)


def sheet_submit(*, sheet: Sheet, user) -> Sheet:
    return submission_services.submission_submit(submission=sheet, user=user)


def sheet_return(
    *, sheet: Sheet, user, comments: Mapping[str, str], note: str = "", base_url: str = ""
) -> Sheet:
    """The office sends a submitted sheet back with comments per item; the unit's coordinators
    are told what to change and by when (``base_url``: the address for the e-mail's link)."""
    return submission_services.submission_return(
        submission=sheet, user=user, comments=comments, note=note, base_url=base_url
    )


def sheet_accept(*, sheet: Sheet, user) -> Sheet:
    return submission_services.submission_accept(submission=sheet, user=user)
