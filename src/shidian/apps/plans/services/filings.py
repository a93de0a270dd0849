"""Plan rounds and filings: the office opens a round for a batch (one plan per pilot), the
school fills and submits it, the office approves (freezing a version) or returns it; after
approval the school may propose a revision, which is the next version once approved.

Each write checks access, runs in one transaction and records an audit event; the state
changes themselves are the submission mechanism's (``submissions.services``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.access import FILL, MANAGE, require
from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.evidence.services import attach_atomic
from shidian.apps.plans.kind import ATTACHMENTS, KIND, CreationPlanForm
from shidian.apps.plans.models import Plan, PlanFiling, Weighting
from shidian.apps.plans.services.versions import chosen_weighting
from shidian.apps.programmes.models import Participation, ParticipationState
from shidian.apps.submissions import services as submissions
from shidian.apps.submissions.kinds import kind_for
from shidian.apps.submissions.models import Round, Submission
from shidian.apps.submissions.states import EDITABLE, Status
from shidian.textclean import clean_text

REVISION_DAYS = 30


def current_filing(plan: Plan) -> PlanFiling | None:
    return plan.filings.select_related("submission__round").order_by("-number").first()


def _filing_or_refuse(plan: Plan) -> PlanFiling:
    filing = current_filing(plan)
    if filing is None:
        raise ValidationError(_("该单位尚无创建方案。"), code="not_allowed")
    return filing


def touch(plan: Plan) -> None:
    """The plan changed with its filing, versions or progress: its ``updated_at`` (hence the
    API's ETag) moves, so two clients never act on a plan the other changed unseen."""
    Plan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())  # scoping: ok held


@transaction.atomic
def plan_round_open(
    *,
    programme: Any,
    batch: Any,
    user: Any,
    deadline: dt.datetime,
    name: str = "",
    opens_on: dt.date | None = None,
) -> Round:
    """One round for the batch's pilots, one plan and one filing per pilot not yet holding a
    plan in this programme (a pilot that has one keeps it)."""
    require(user, MANAGE, programme)
    problems = []
    if batch.programme_id != programme.pk:
        problems.append(_("批次不属于该项目。"))
    today = opens_on or timezone.localdate()
    if deadline <= timezone.now():
        problems.append(_("截止时间须晚于现在。"))
    pilots = list(
        Participation.objects.filter(  # scoping: ok the office manages the programme
            programme=programme, state=ParticipationState.PILOT, batch=batch
        ).values_list("unit_id", flat=True)
    )
    have = set(
        Plan.objects.filter(programme=programme, unit_id__in=pilots)  # scoping: ok as above
        .filter(filings__isnull=False)
        .values_list("unit_id", flat=True)
    )
    new_units = [u for u in pilots if u not in have]
    if not new_units:
        problems.append(_("该批次没有尚未报送方案的试点单位。"))
    if problems:
        raise ValidationError(problems)
    round_obj = Round.objects.create(
        kind=KIND,
        unit=programme.unit,
        name=clean_text(name)[:200] or _("请第%(n)s批试点提交创建方案") % {"n": batch.number},
        opens_on=today,
        deadline=deadline,
        invite_root=programme.scope_root,
        programme=programme,
        created_by=person_or_none(user),
    )
    for unit_id in new_units:
        plan, _created = Plan.objects.get_or_create(
            programme=programme, unit_id=unit_id, defaults={"batch": batch}
        )
        submission = Submission.objects.create(round=round_obj, unit_id=unit_id)
        PlanFiling.objects.create(plan=plan, submission=submission, number=1)
        touch(plan)
    audit_record(
        actor=user,
        action="plans.round_open",
        target=round_obj,
        unit=programme.unit,
        summary=round_obj.name,
        data={"batch": batch.number, "units": len(new_units)},
    )
    return round_obj


@transaction.atomic
def plan_revision_start(*, plan: Plan, user: Any) -> PlanFiling:
    """The school proposes a revision of its approved plan: a new filing (in a round of its
    own, owned by the programme's unit) starting from the version in force."""
    require(user, FILL, plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)  # scoping: ok held by the caller
    filing = _filing_or_refuse(plan)
    latest = plan.versions.order_by("-number").first()
    if latest is None or filing.submission.status != Status.ACCEPTED:
        raise ValidationError(
            _("只有已批准、且没有待审修订的方案才能提出修订。"), code="not_allowed"
        )
    programme = plan.programme
    now = timezone.now()
    round_obj = Round.objects.create(
        kind=KIND,
        unit=programme.unit,
        name=_("%(unit)s创建方案修订（第%(n)s版）")
        % {"unit": plan.unit.name, "n": filing.number + 1},
        opens_on=timezone.localdate(now),
        deadline=now + dt.timedelta(days=REVISION_DAYS),
        invite_root=plan.unit,
        programme=programme,
        created_by=person_or_none(user),
    )
    submission = Submission.objects.create(
        round=round_obj,
        unit=plan.unit,
        status=Status.DRAFT,
        answers=dict(latest.submission.answers),
    )
    new = PlanFiling.objects.create(plan=plan, submission=submission, number=filing.number + 1)
    touch(plan)
    audit_record(
        actor=user,
        action="plans.revision_start",
        target=plan,
        unit=plan.unit,
        data={"number": new.number},
    )
    return new


@transaction.atomic
def plan_save(
    *, plan: Plan, user: Any, answers: Mapping[str, Any], base_version: int
) -> Submission:
    """Save the goals and tasks of the plan's open filing; every problem with its row."""
    filing = _filing_or_refuse(plan)
    submission = filing.submission
    require(user, FILL, submission)
    spec = kind_for(submission.round)
    assert isinstance(spec, CreationPlanForm)
    cleaned, problems = spec.clean_rows(submission.round, answers)
    if problems:
        raise ValidationError(problems)
    saved = submissions.submission_save(
        submission=submission,
        user=user,
        answers=cleaned,
        base_version=base_version,
        prevalidated=True,
    )
    touch(plan)
    return saved


@transaction.atomic
def plan_submit(*, plan: Plan, user: Any) -> Submission:
    submitted = submissions.submission_submit(
        submission=_filing_or_refuse(plan).submission, user=user
    )
    touch(plan)
    return submitted


@attach_atomic()
def plan_attach(*, plan: Plan, user: Any, upload) -> Any:
    evidence = submissions.submission_attach(
        submission=_filing_or_refuse(plan).submission,
        user=user,
        item_code=ATTACHMENTS,
        upload=upload,
    )
    touch(plan)
    return evidence


@transaction.atomic
def plan_approve(*, plan: Plan, user: Any, weighting: str) -> Submission:
    """Approve the submitted filing; its goals and tasks become the next frozen version,
    completion computed ``weighting`` ("weight" or "count")."""
    if weighting not in Weighting.values:
        raise ValidationError(_("请选择完成率的计算方式。"))
    submission = _filing_or_refuse(plan).submission
    token = chosen_weighting.set(weighting)
    try:
        accepted = submissions.submission_accept(submission=submission, user=user)
    finally:
        chosen_weighting.reset(token)
    touch(plan)
    return accepted


@transaction.atomic
def plan_return(*, plan: Plan, user: Any, note: str, base_url: str = "") -> Submission:
    if not clean_text(note, multiline=True):
        raise ValidationError(_("退回时请写明修改意见。"), code="reason_required")
    submission = _filing_or_refuse(plan).submission
    returned = submissions.submission_return(
        submission=submission, user=user, comments={}, note=note, base_url=base_url
    )
    touch(plan)
    return returned


def is_editable(filing: PlanFiling | None) -> bool:
    return filing is not None and filing.submission.status in EDITABLE
