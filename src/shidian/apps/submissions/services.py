"""Writes on a submission, for every kind: save (one item or all), submit, return with
comments, accept, attach and remove evidence. Every saved state is kept as a Revision.

Optimistic locking: every save names the submission version it started from. If the
submission moved on since, a whole-form save is refused (:class:`SubmissionConflict`) and a
one-item save is refused only when that item changed meanwhile, so two people filling
different items both keep their work and nobody's answer is silently overwritten.

Who may: FILL on the submission for the unit's writes, MANAGE for return and accept
(``core.access``); ``user=None`` is the system (the folder ingest, tasks).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.access import FILL, MANAGE, restrict_queryset
from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.evidence import services as evidence_services
from shidian.apps.evidence.files import MAX_EVIDENCE_BYTES
from shidian.apps.evidence.models import Evidence
from shidian.apps.submissions import states
from shidian.apps.submissions.kinds import FormSpec, kind_for
from shidian.apps.submissions.models import Revision, RevisionKind, Submission
from shidian.textclean import clean_text


class SubmissionConflict(Exception):
    """Someone saved the submission since the caller loaded it."""

    def __init__(self, submission: Submission, items: list[str] | None = None):
        super().__init__("conflict")
        self.submission = submission
        self.sheet = submission  # the name campaigns' callers use
        self.items = items or []


def _refuse(submission: Submission, exc: states.Refused, words: str = "") -> ValidationError:
    """The refusal in the words of the submission's own kind (a sheet, a report, a plan);
    ``words`` picks another message than the state's code (``return``, ``accept``)."""
    return ValidationError(kind_for(submission.round).refusal(words or exc.code), code=exc.code)


def check_writable(submission: Submission) -> None:
    """The unit may write now: editable, and the round open (and not late, unless allowed)."""
    round_obj = submission.round
    try:
        states.after_save(submission.status)
        states.check_round_open(
            round_open=round_obj.is_open,
            deadline=round_obj.deadline,
            now=timezone.now(),
            accept_late=round_obj.accept_late,
        )
    except states.Refused as exc:
        raise _refuse(submission, exc) from exc


def lock_for(user, action: str, submission: Submission) -> Submission:
    """``require(user, action, submission)`` and ``lock(submission)`` in one query: the row is
    re-read under its lock through the same access rule, so a deadline's saves and submits pay
    for one round trip instead of two. PermissionDenied when ``user`` may not; ``None`` is the
    system."""
    rows = type(submission)._default_manager.select_for_update(of=("self",)).select_related("unit")
    if user is not None:
        rows = restrict_queryset(rows, user, action)
    locked = rows.filter(pk=submission.pk).first()  # scoping: ok restricted just above
    if locked is None:
        raise PermissionDenied
    if "round" in submission._state.fields_cache:
        locked.round = submission.round
    return locked


def lock(submission: Submission) -> Submission:
    """Re-read the submission under a row lock (its own row only: saves of one round's units
    never wait for each other); the round already loaded is reused."""
    locked = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=submission.pk)  # scoping: ok the caller holds it
    )
    if "round" in submission._state.fields_cache:
        locked.round = submission.round
    locked.__class__ = type(submission)  # a campaigns Sheet stays a Sheet
    return locked


def _apply(spec: FormSpec, submission: Submission, answers: dict) -> None:
    result = spec.compute(submission.round, answers)
    submission.answers = answers
    submission.scores = result.scores
    submission.dimension_scores = result.groups
    submission.total = round(result.total, 4)
    submission.vetoed = result.vetoed
    submission.answered = result.answered


def _snapshot(submission: Submission, *, kind: str, user) -> None:
    Revision.objects.create(
        submission=submission,
        number=submission.version,
        kind=kind,
        status=submission.status,
        answers=submission.answers,
        total=submission.total,
        created_by=person_or_none(user),
    )


def _store(submission: Submission, user, kind: str) -> None:
    submission.status = states.after_save(submission.status)
    submission.version += 1
    submission.updated_by = person_or_none(user)
    submission.save()
    _snapshot(submission, kind=kind, user=user)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


@transaction.atomic
def submission_save_item(
    *,
    submission: Submission,
    user,
    code: str,
    answer: Any,
    base_version: int,
    expected: Any = None,
) -> Submission:
    """Autosave one item. ``expected`` is the answer the user's page started from."""
    submission = lock_for(user, FILL, submission)
    check_writable(submission)
    spec = kind_for(submission.round)
    if code not in spec.item_codes(submission.round):
        raise ValidationError(_("没有这个评分要点：%(code)s") % {"code": code})
    cleaned = spec.clean_item(submission.round, code, answer)
    current = submission.answers.get(code)
    # A saved 0 (or False) is an answer, not a blank: only empty values compare as None.
    started_from = None if _blank(expected) else spec.clean_item(submission.round, code, expected)
    if submission.version != base_version and (None if _blank(current) else current) != (
        started_from
    ):
        raise SubmissionConflict(submission, [code])
    answers = dict(submission.answers)
    if cleaned is None:
        answers.pop(code, None)
    else:
        answers[code] = cleaned
    if answers == submission.answers:
        return submission
    _apply(spec, submission, answers)
    _store(submission, user, RevisionKind.SAVE)
    return submission


@transaction.atomic
def submission_save(
    *,
    submission: Submission,
    user,
    answers: Mapping[str, Any],
    base_version: int,
    kind: str = RevisionKind.SAVE,
    audit: bool = True,
    prevalidated: bool = False,
    on_behalf: bool = False,
) -> Submission:
    """Replace all answers (the no-JavaScript form, the workbook upload, the bulk exchange).
    ``on_behalf``: the office that runs the round (MANAGE) writes for the unit (the bulk
    exchange of a data centre); every other rule is the unit's own."""
    submission = lock_for(user, MANAGE if on_behalf else FILL, submission)
    check_writable(submission)
    if submission.version != base_version:
        raise SubmissionConflict(submission)
    spec = kind_for(submission.round)
    if prevalidated:  # cleaned by the caller in this request (e.g. a workbook check)
        cleaned, problems = dict(answers), {}
    else:
        cleaned, problems = spec.clean_form(submission.round, answers)
    if problems:
        raise ValidationError([f"{code}: {msg}" for code, msg in problems.items()])
    if cleaned == submission.answers and submission.status != states.Status.NOT_OPENED:
        return submission
    _apply(spec, submission, cleaned)
    _store(submission, user, kind)
    if audit:
        audit_record(
            actor=user,
            action=f"{spec.audit_prefix}_{kind}",
            target=submission,
            unit=submission.unit,
        )
    return submission


@transaction.atomic
def submission_save_answers(
    *, submission: Submission, user, changes: Mapping[str, Any], base_version: int
) -> Submission:
    """Change the answers named in ``changes`` and keep the others (the API's partial update);
    a blank value clears its answer. One save and one revision through
    :func:`submission_save`, so every rule of the whole form holds; all or nothing."""
    submission = lock_for(user, FILL, submission)
    check_writable(submission)
    known = set(kind_for(submission.round).item_codes(submission.round))
    unknown = [code for code in changes if code not in known]
    if unknown:
        raise ValidationError(
            [
                ValidationError(_("没有这个评分要点：%(code)s") % {"code": c}, code="unknown_item")
                for c in unknown
            ]
        )
    answers = dict(submission.answers)
    for code, value in changes.items():
        if _blank(value):
            answers.pop(code, None)
        else:
            answers[code] = value
    return submission_save(
        submission=submission, user=user, answers=answers, base_version=base_version
    )


def submit_problems(submission: Submission) -> list[str]:
    codes = set(
        Evidence.objects.filter(submission=submission).values_list(  # scoping: ok held
            "item_code", flat=True
        )
    )
    return kind_for(submission.round).submit_problems(submission, evidence_codes=codes)


@transaction.atomic
def submission_submit(*, submission: Submission, user) -> Submission:
    submission = lock_for(user, FILL, submission)
    check_writable(submission)
    problems = submit_problems(submission)
    if problems:
        raise ValidationError(problems)
    submission.status = states.after_submit(submission.status)
    submission.submitted_at = timezone.now()
    submission.version += 1
    # The answers and scores are unchanged: not writing them again keeps a deadline's submits
    # cheap (100 answers serialised, sent and stored once less per submit).
    submission.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    _snapshot(submission, kind=RevisionKind.SUBMIT, user=user)
    spec = kind_for(submission.round)
    audit_record(
        actor=user, action=f"{spec.audit_prefix}_submit", target=submission, unit=submission.unit
    )
    spec.on_submitted(submission, user=user)
    return submission


def _decide(submission: Submission, user) -> Submission:
    """Only the round's owner (MANAGE: its office or above) returns and accepts."""
    return lock_for(user, MANAGE, submission)


def _refuse_unknown_codes(spec: FormSpec, submission: Submission, codes: list[str]) -> None:
    """A comment, like an answer, names an item the form has (a caller of the API may send
    any code): each other code is refused, in the kind's words."""
    known = set(spec.item_codes(submission.round))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError(
            [
                ValidationError(spec.refusal("unknown_item") % {"code": c}, code="unknown_item")
                for c in unknown
            ]
        )


@transaction.atomic
def submission_return(
    *,
    submission: Submission,
    user,
    comments: Mapping[str, str],
    note: str = "",
    base_url: str = "",
) -> Submission:
    """The owner sends a submitted form back with comments per item; the kind tells the unit
    what to change and by when (``base_url``: the address for an e-mail's link)."""
    submission = _decide(submission, user)
    try:
        submission.status = states.after_return(submission.status)
    except states.Refused as exc:
        raise _refuse(submission, exc, "return") from exc
    # Comments are pasted from Word too, and travel into the unit's workbook and e-mail.
    cleaned = {code: clean_text(text, multiline=True) for code, text in comments.items()}
    spec = kind_for(submission.round)
    _refuse_unknown_codes(spec, submission, [code for code, text in cleaned.items() if text])
    submission.comments = {code: text for code, text in cleaned.items() if text}
    submission.return_note = clean_text(note, multiline=True)
    submission.version += 1
    submission.save()
    _snapshot(submission, kind=RevisionKind.RETURN, user=user)
    audit_record(
        actor=user, action=f"{spec.audit_prefix}_return", target=submission, unit=submission.unit
    )
    spec.on_returned(submission, base_url=base_url)
    return submission


@transaction.atomic
def submission_accept(*, submission: Submission, user) -> Submission:
    submission = _decide(submission, user)
    try:
        submission.status = states.after_accept(submission.status)
    except states.Refused as exc:
        raise _refuse(submission, exc, "accept") from exc
    submission.version += 1
    submission.save()
    _snapshot(submission, kind=RevisionKind.ACCEPT, user=user)
    spec = kind_for(submission.round)
    audit_record(
        actor=user, action=f"{spec.audit_prefix}_accept", target=submission, unit=submission.unit
    )
    spec.on_accepted(submission, user=user)
    return submission


@evidence_services.attach_atomic()
def submission_attach(
    *, submission: Submission, user, item_code: str, upload, max_bytes: int = MAX_EVIDENCE_BYTES
) -> Evidence:
    """Attach an evidence file to one item, while the unit may still write."""
    # Under the row lock submit takes, so a file never lands on a sheet just submitted.
    submission = lock_for(user, FILL, submission)
    check_writable(submission)
    if item_code not in kind_for(submission.round).evidence_codes(submission.round):
        raise ValidationError(
            _("没有这个评分要点：%(code)s") % {"code": item_code}, code="unknown_item"
        )
    evidence = evidence_services.evidence_store(
        submission=submission, user=user, item_code=item_code, upload=upload, max_bytes=max_bytes
    )
    _touch(submission)
    return evidence


def _touch(submission: Submission) -> None:
    """A file added or removed changes the submission: its ``updated_at`` (hence the API's
    ETag) moves, so two clients never act on files the other changed unseen. The version and
    answers stay: the page's saves are not refused for a file."""
    submission.save(update_fields=["updated_at"])


@transaction.atomic
def submission_detach(*, evidence: Evidence, user) -> None:
    # Under the row lock submit takes, so a required file cannot vanish after submit checked it.
    submission = lock_for(user, FILL, evidence.submission)
    check_writable(submission)
    evidence_services.evidence_remove(evidence=evidence)
    _touch(submission)
