"""Filing periodic reports: open a period (its Round and one Submission per expected unit,
pre-filled from the unit's last submitted period where the form or field asks for it), open
every period that has started, return and accept through the submission mechanism, remind.

A period's round takes late reports (``accept_late``): a report after the grace period is
marked late by the completeness figures, never refused or lost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, REMIND, require
from shidian.apps.core.services import audit_record
from shidian.apps.evidence.services import attach_atomic
from shidian.apps.reports.expected import end_of_day, expected_units, history
from shidian.apps.reports.kind import KIND
from shidian.apps.reports.models import FormStatus, ReportField, ReportPeriod
from shidian.apps.submissions.models import Round, RoundStatus, Submission
from shidian.apps.submissions.states import SUBMITTED, Status

# A second reminder within this time is refused: a double click must not mail every school twice.
REMIND_EVERY = dt.timedelta(hours=1)


def _prefill_codes(form) -> set[str]:
    fields = ReportField.objects.filter(form=form)  # scoping: ok the form is held
    return {f.code for f in fields if f.prefill or form.prefill}


def last_answers(form, period, unit_ids) -> dict[int, dict[str, Any]]:
    """Per unit, the answers of its latest submitted report of an earlier period of ``form``."""
    rows = (
        Submission.objects.filter(  # scoping: ok the service is told which units
            round__report_period__form=form,
            round__report_period__starts_on__lt=period.starts_on,
            unit_id__in=list(unit_ids),
            status__in=list(SUBMITTED),
        )
        .order_by("unit_id", "-round__report_period__starts_on")
        .values_list("unit_id", "answers")
    )
    found: dict[int, dict[str, Any]] = {}
    for unit_id, answers in rows.iterator(chunk_size=2000):
        found.setdefault(unit_id, answers)
    return found


def _round_for(period: ReportPeriod, *, by) -> Round:
    form = period.form
    programme = form.programme
    round_obj = Round.objects.create(
        kind=KIND,
        unit_id=programme.unit_id,
        name=f"{form.name} · {period.label}"[:200],
        opens_on=period.starts_on,
        deadline=end_of_day(period.closes_on),
        accept_late=True,
        status=RoundStatus.OPEN,
        invite_root_id=programme.scope_root_id,
        programme=programme,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    period.round = round_obj
    period.save(update_fields=["round"])
    return round_obj


@transaction.atomic
def period_open(*, period: ReportPeriod, by=None, hist=None) -> int:
    """Open ``period``: its round (once) and a submission for every expected unit that has
    none yet (a unit entering the audience later gets one on the next call). Idempotent;
    returns how many submissions were created. ``by`` None is the system (the daily task)."""
    form = period.form
    if by is not None:
        require(by, MANAGE, form)
    if not period.expected or form.status != FormStatus.PUBLISHED:
        return 0
    given = period
    period = ReportPeriod.objects.select_for_update().get(pk=period.pk)  # scoping: ok held
    period.form = form
    round_obj = period.round if period.round_id else _round_for(period, by=by)
    given.round = round_obj
    owed = expected_units(form, period, hist=hist)
    have = set(
        Submission.objects.filter(round=round_obj).values_list(  # scoping: ok held
            "unit_id", flat=True
        )
    )
    new_units = sorted(owed - have)
    if not new_units:
        return 0
    codes = _prefill_codes(form)
    previous = last_answers(form, period, new_units) if codes else {}
    rows = []
    for unit_id in new_units:
        answers = {k: v for k, v in previous.get(unit_id, {}).items() if k in codes}
        rows.append(
            Submission(
                round=round_obj,
                unit_id=unit_id,
                status=Status.NOT_OPENED,
                answers=answers,
                answered=len(answers),
            )
        )
    Submission.objects.bulk_create(rows, batch_size=2000)
    audit_record(
        actor=by,
        action="reports.period_open",
        target=round_obj,
        unit=round_obj.unit,
        summary=f"{period.key}: {len(rows)}",
    )
    return len(rows)


def periods_open_due(form, today: dt.date | None = None, *, by=None) -> int:
    """Open every expected period of ``form`` that has started by ``today``; returns how many
    submissions were created. The history is read once for all periods."""
    today = today or timezone.localdate()
    if form.status != FormStatus.PUBLISHED:
        return 0
    hist = history(form.programme_id)
    periods = ReportPeriod.objects.filter(  # scoping: ok the form is held
        form=form, expected=True, starts_on__lte=today
    ).order_by("starts_on")
    return sum(period_open(period=p, by=by, hist=hist) for p in periods)


BEHIND = (Status.NOT_OPENED, Status.DRAFT, Status.RETURNED)


@transaction.atomic
def period_remind(*, period: ReportPeriod, user, base_url: str = "", now=None) -> int:
    """Remind the units of ``period`` whose report is not in (among those ``user`` may remind;
    None: the system), each with a link to its own fill page; returns how many units were
    reminded. Refused within an hour of the last reminder."""
    from django.core.exceptions import ValidationError

    from shidian.apps.reports.tasks import notify_behind

    round_obj = period.round
    if round_obj is None:
        return 0
    if user is not None:
        require(user, REMIND, round_obj)
    now = now or timezone.now()
    round_obj = Round.objects.select_for_update().get(pk=round_obj.pk)  # scoping: ok held
    if round_obj.reminded_at and now - round_obj.reminded_at < REMIND_EVERY:
        raise ValidationError(_("一小时内已催报过，请稍后再试。"), code="recent")
    submissions = Submission.objects.filter(round=round_obj)  # scoping: ok narrowed below
    if user is not None:
        submissions = Submission.objects.restrict(user, REMIND).filter(round=round_obj)
    behind = list(submissions.filter(status__in=BEHIND).select_related("unit"))
    if not behind:
        return 0
    notify_behind(period=period, submissions=behind, base_url=base_url)
    round_obj.reminded_at = now
    round_obj.save(update_fields=["reminded_at"])
    period.round = round_obj
    audit_record(
        actor=user,
        action="reports.remind",
        target=round_obj,
        unit=round_obj.unit,
        summary=str(len(behind)),
    )
    return len(behind)


@attach_atomic()
def report_attach(*, submission: Submission, user, code: str, upload):
    """Attach a file to a file field and record its name as the field's answer, together."""
    from shidian.apps.submissions import services as submission_services

    evidence = submission_services.submission_attach(
        submission=submission, user=user, item_code=code, upload=upload
    )
    current = Submission.objects.get(pk=submission.pk)  # scoping: ok checked by attach
    current.round = submission.round
    submission_services.submission_save_item(
        submission=current,
        user=user,
        code=code,
        answer=evidence.original_name,
        base_version=current.version,
    )
    return evidence


@transaction.atomic
def report_detach(*, evidence, user) -> None:
    """Remove a file; the field's answer names the file left, or is cleared."""
    from shidian.apps.evidence.models import Evidence
    from shidian.apps.submissions import services as submission_services

    submission, code = evidence.submission, evidence.item_code
    submission_services.submission_detach(evidence=evidence, user=user)
    left = (
        Evidence.objects.filter(submission=submission, item_code=code)  # scoping: ok held
        .order_by("-created_at")
        .values_list("original_name", flat=True)
        .first()
    )
    current = Submission.objects.get(pk=submission.pk)  # scoping: ok checked by detach
    submission_services.submission_save_item(
        submission=current, user=user, code=code, answer=left or "", base_version=current.version
    )
