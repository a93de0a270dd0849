"""Demo reports: open the periods of every published form of the demo programme and file most
of the past ones for the batch-1 pilots (some late, one missing per school), so the
completeness pages, the matrix and the chart have something to show. Idempotent.

The demo programme's pilots join when the demo is loaded; so that the forms have a history,
their joining is dated back to the first form's start (``backdate=True``, demo data only).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shidian.apps.reports.kind import NA, fields_of
from shidian.apps.reports.models import FieldType, FormStatus, ReportForm, ReportPeriod
from shidian.apps.reports.services.filing import periods_open_due
from shidian.apps.submissions import services as submission_services
from shidian.apps.submissions.models import Revision, Submission
from shidian.apps.submissions.states import Status


def _answer(field, rng: random.Random) -> Any:
    if field.type == FieldType.NUMBER:
        low = field.minimum if field.minimum is not None else 0
        high = field.maximum if field.maximum is not None else low + 40
        return float(int(rng.uniform(low, high)))
    if field.type == FieldType.PERCENT:
        return float(rng.randint(40, 100))
    if field.type == FieldType.YES_NO:
        return rng.choice([1, 1, 0])
    if field.type == FieldType.CHOICE:
        return (field.choices or [""])[0] or None
    if field.type == FieldType.TEXT:
        return "按计划推进，本期完成既定任务。"
    return None  # file fields: no file in the demo


def _answers(round_obj, rng: random.Random, *, flat: bool = False) -> dict:
    out = {}
    for field in fields_of(round_obj):
        value = _answer(field, rng)
        if flat and field.type in (FieldType.NUMBER, FieldType.PERCENT):
            # One value for every number: any rule "a <= b" or "a = b" holds.
            value = float(field.minimum or 0)
        if field.allow_na and rng.random() < 0.05:
            value = NA
        if value is not None:
            out[field.code] = value
    return out


def _submit(sub: Submission, rng: random.Random) -> bool:
    for flat in (False, True):
        try:
            with transaction.atomic():
                sub = submission_services.submission_save(
                    submission=sub,
                    user=None,
                    answers=_answers(sub.round, rng, flat=flat),
                    base_version=sub.version,
                    audit=False,
                )
                submission_services.submission_submit(submission=sub, user=None)
            return True
        except ValidationError:
            sub.refresh_from_db()
    return False


def _backdate(form, pilots) -> None:
    from shidian.apps.programmes.models import ParticipationEvent

    start = timezone.make_aware(dt.datetime.combine(form.starts_on, dt.time(9)))
    events = ParticipationEvent.objects.filter(  # scoping: ok demo set-up
        participation__programme_id=form.programme_id,
        participation__unit_id__in=[p.unit_id for p in pilots],
        at__gt=start,
    )
    events.filter(to_state="pilot").update(at=start)
    events.exclude(to_state="pilot").update(at=start - dt.timedelta(days=1))


def load_demo_filing(*, programme, today: dt.date | None = None, backdate: bool = True) -> dict:
    """File the demo reports of ``programme``; returns counts."""
    from shidian.apps.programmes.models import Participation

    today = today or timezone.localdate()
    forms = list(
        ReportForm.objects.filter(  # scoping: ok demo set-up
            programme=programme, status=FormStatus.PUBLISHED
        ).order_by("starts_on")
    )
    pilots = list(
        Participation.objects.filter(  # scoping: ok demo set-up
            programme=programme, state="pilot", batch__number=1
        )
    )
    if not forms or not pilots:
        return {"opened": 0, "filed": 0}
    if backdate:
        _backdate(forms[0], pilots)
    rng = random.Random(2026)
    opened = filed = 0
    pilot_units = sorted(p.unit_id for p in pilots)
    for form in forms:
        opened += periods_open_due(form, today)
        past = list(
            ReportPeriod.objects.filter(  # scoping: ok demo set-up
                form=form, expected=True, closes_on__lt=today, round__isnull=False
            ).order_by("starts_on")
        )
        for i, period in enumerate(past):
            subs = Submission.objects.filter(  # scoping: ok demo set-up
                round_id=period.round_id, unit_id__in=pilot_units, status=Status.NOT_OPENED
            ).select_related("round__report_period")
            for sub in subs:
                position = pilot_units.index(sub.unit_id)
                if position == 1 and i == len(past) - 1:
                    continue  # one school missed one period
                if not _submit(sub, rng):
                    continue
                late = (i + position) % 5 == 0
                day = period.closes_on + dt.timedelta(days=3) if late else period.due_on
                when = timezone.make_aware(dt.datetime.combine(day, dt.time(16)))
                Revision.objects.filter(submission=sub).update(created_at=when)  # scoping: ok demo
                Submission.objects.filter(pk=sub.pk).update(submitted_at=when)  # scoping: ok demo
                filed += 1
    return {"opened": opened, "filed": filed}
