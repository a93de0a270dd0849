"""Writes on a sheet: save (one item or all), submit, return with comments, accept.

Optimistic locking: every save names the sheet version it started from. If the sheet moved on
since, a whole-sheet save is refused (:class:`SheetConflict`) and a one-item save is refused only
when that item changed meanwhile, so two people filling different items both keep their work
and nobody's answer is silently overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.campaigns.models import (
    EDITABLE,
    RevisionKind,
    Sheet,
    SheetRevision,
    SheetStatus,
)
from shidian.apps.core.access import FILL, require
from shidian.apps.core.engine_messages import describe
from shidian.apps.core.services import audit_record
from shidian.engine.scoring import (
    AnswerError,
    Method,
    missing_answers,
    score_item,
    score_sheet,
)
from shidian.textclean import clean_text, clean_value


class SheetConflict(Exception):
    """Someone saved the sheet since the caller loaded it."""

    def __init__(self, sheet: Sheet, items: list[str] | None = None):
        super().__init__("conflict")
        self.sheet = sheet
        self.items = items or []


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


def _apply(sheet: Sheet, answers: dict) -> None:
    standard = sheet.campaign.version.as_standard()
    result = score_sheet(standard, answers)
    sheet.answers = answers
    sheet.scores = {code: score for code, score in result.items.items() if score is not None}
    sheet.dimension_scores = {code: round(v, 4) for code, v in result.dimensions.items()}
    sheet.total = round(result.total, 4)
    sheet.vetoed = result.vetoed
    sheet.answered = result.answered


def _snapshot(sheet: Sheet, *, kind: str, user) -> None:
    SheetRevision.objects.create(
        sheet=sheet,
        number=sheet.version,
        kind=kind,
        status=sheet.status,
        answers=sheet.answers,
        total=sheet.total,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def _check_open(sheet: Sheet, *, submitting: bool = False) -> None:
    if sheet.status not in EDITABLE:
        raise ValidationError(_("自查表已提交，不能修改。"))
    campaign = sheet.campaign
    if campaign.status != "open":
        raise ValidationError(_("本次自查赋分已结束。"))
    if timezone.now() > campaign.deadline and not campaign.accept_late:
        raise ValidationError(_("已过截止时间，本次不接受逾期提交。"))


def _lock(sheet: Sheet) -> Sheet:
    """Re-read the sheet under a row lock; the campaign (already loaded) is reused."""
    locked = Sheet.objects.select_for_update().select_related("unit").get(pk=sheet.pk)
    if "campaign" in sheet._state.fields_cache:
        locked.campaign = sheet.campaign
    return locked


def _require_editor(sheet: Sheet, user) -> None:
    # Only the unit's own coordinators fill its sheet (the office reviews, never edits; an
    # expert who belongs to the school reviews, never fills): FILL comes from the school's role.
    require(user, FILL, sheet)


@transaction.atomic
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
    _require_editor(sheet, user)
    sheet = _lock(sheet)
    _check_open(sheet)
    standard = sheet.campaign.version.as_standard()
    item = next((i for i in standard.items() if i.code == code), None)
    if item is None:
        raise ValidationError(_("没有这个评分要点：%(code)s") % {"code": code})
    cleaned = clean_answer(item, answer)
    current = sheet.answers.get(code)
    if sheet.version != base_version and (current or None) != (
        clean_answer(item, expected) if expected else None
    ):
        raise SheetConflict(sheet, [code])
    answers = dict(sheet.answers)
    if cleaned is None:
        answers.pop(code, None)
    else:
        answers[code] = cleaned
    if answers == sheet.answers:
        return sheet
    _apply(sheet, answers)
    _store(sheet, user, RevisionKind.SAVE)
    return sheet


def _store(sheet: Sheet, user, kind: str) -> None:
    if sheet.status == SheetStatus.NOT_OPENED:
        sheet.status = SheetStatus.DRAFT
    sheet.version += 1
    sheet.updated_by = user if getattr(user, "is_authenticated", False) else None
    sheet.save()
    _snapshot(sheet, kind=kind, user=user)


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


@transaction.atomic
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
    _require_editor(sheet, user)
    sheet = _lock(sheet)
    _check_open(sheet)
    if sheet.version != base_version:
        raise SheetConflict(sheet)
    if prevalidated:  # cleaned by the caller in this request (workbook_check)
        cleaned, problems = dict(answers), {}
    else:
        cleaned, problems = validate_answers(sheet.campaign.version.as_standard(), answers)
    if problems:
        raise ValidationError([f"{code}: {msg}" for code, msg in problems.items()])
    if cleaned == sheet.answers and sheet.status != SheetStatus.NOT_OPENED:
        return sheet
    _apply(sheet, cleaned)
    _store(sheet, user, kind)
    if audit:
        audit_record(actor=user, action=f"campaigns.sheet_{kind}", target=sheet, unit=sheet.unit)
    return sheet


def submit_problems(sheet: Sheet) -> list[str]:
    """What stops a sheet from being submitted: unanswered items, missing required evidence."""
    standard = sheet.campaign.version.as_standard()
    problems = [
        _("%(code)s 尚未填写") % {"code": code} for code in missing_answers(standard, sheet.answers)
    ]
    with_files = set(sheet.evidence.values_list("item_code", flat=True))
    for item in standard.items():
        if item.evidence_required and item.code not in with_files:
            problems.append(_("%(code)s 需要上传佐证材料") % {"code": item.code})
    return problems


@transaction.atomic
def sheet_submit(*, sheet: Sheet, user) -> Sheet:
    _require_editor(sheet, user)
    sheet = _lock(sheet)
    _check_open(sheet, submitting=True)
    problems = submit_problems(sheet)
    if problems:
        raise ValidationError(problems)
    sheet.status = (
        SheetStatus.RESUBMITTED if sheet.status == SheetStatus.RETURNED else SheetStatus.SUBMITTED
    )
    sheet.submitted_at = timezone.now()
    sheet.version += 1
    sheet.save()
    _snapshot(sheet, kind=RevisionKind.SUBMIT, user=user)
    audit_record(actor=user, action="campaigns.sheet_submit", target=sheet, unit=sheet.unit)
    return sheet


@transaction.atomic
def sheet_return(
    *, sheet: Sheet, user, comments: Mapping[str, str], note: str = "", base_url: str = ""
) -> Sheet:
    """The office sends a submitted sheet back with comments per item; the unit's coordinators
    are told what to change and by when (``base_url``: the address for the e-mail's link)."""
    sheet = _lock(sheet)
    if sheet.status not in (SheetStatus.SUBMITTED, SheetStatus.RESUBMITTED):
        raise ValidationError(_("只能退回已提交的自查表。"))
    sheet.status = SheetStatus.RETURNED
    # Comments are pasted from Word too, and travel into the unit's workbook and e-mail.
    comments = {code: clean_text(text, multiline=True) for code, text in comments.items()}
    sheet.comments = {code: text for code, text in comments.items() if text}
    sheet.return_note = clean_text(note, multiline=True)
    sheet.version += 1
    sheet.save()
    _snapshot(sheet, kind=RevisionKind.RETURN, user=user)
    audit_record(actor=user, action="campaigns.sheet_return", target=sheet, unit=sheet.unit)
    from shidian.apps.campaigns.notices import RETURN
    from shidian.apps.campaigns.services import notify_coordinators

    notify_coordinators(
        campaign=sheet.campaign, unit_ids=[sheet.unit_id], kind=RETURN, base_url=base_url
    )
    return sheet


@transaction.atomic
def sheet_accept(*, sheet: Sheet, user) -> Sheet:
    sheet = _lock(sheet)
    if sheet.status not in (SheetStatus.SUBMITTED, SheetStatus.RESUBMITTED):
        raise ValidationError(_("只能通过已提交的自查表。"))
    sheet.status = SheetStatus.ACCEPTED
    sheet.version += 1
    sheet.save()
    _snapshot(sheet, kind=RevisionKind.ACCEPT, user=user)
    audit_record(actor=user, action="campaigns.sheet_accept", target=sheet, unit=sheet.unit)
    return sheet
