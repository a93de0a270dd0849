"""A semester's plan and summary filings (学期初实施方案 / 学期末阶段小结).

The office opens, for a semester, one round per kind (``community_plan`` and
``community_summary``) owned by the semester's owner unit, and one submission per active
community of that unit, whose unit is the community's lead school: the lead fills and submits,
the office returns (with a reason) or accepts. Every state change is the submission mechanism's
(``submissions.services``); this module only opens the rounds, ties each submission to its
community (``CommunityFiling``) and words what is asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.activities.kinds import ATTACHMENTS, PLAN_KIND, SUMMARY_KIND
from shidian.apps.activities.models import (
    Activity,
    ActivityStatus,
    CommunityFiling,
    FilingKind,
    Semester,
)
from shidian.apps.communities.models import Community
from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.services import audit_record
from shidian.apps.evidence.services import attach_atomic
from shidian.apps.submissions import services as submissions
from shidian.apps.submissions.models import Round, Submission
from shidian.textclean import clean_text

PLAN_DAYS = 28  # the plan is due four weeks after the semester starts, unless the office says
ROUND_KIND = {FilingKind.PLAN: PLAN_KIND, FilingKind.SUMMARY: SUMMARY_KIND}


def default_dues(semester: Semester) -> tuple[dt.date, dt.date]:
    plan_due = min(semester.starts_on + dt.timedelta(days=PLAN_DAYS), semester.ends_on)
    return plan_due, semester.ends_on


def _deadline(day: dt.date) -> dt.datetime:
    """The end of ``day`` in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _round_name(semester: Semester, kind: str, community: Community | None = None) -> str:
    names = {"semester": semester.name, "community": community.name if community else ""}
    if kind == FilingKind.PLAN:
        if community is None:
            return _("%(semester)s实施方案") % names
        return _("%(semester)s实施方案（%(community)s）") % names
    if community is None:
        return _("%(semester)s阶段小结") % names
    return _("%(semester)s阶段小结（%(community)s）") % names


def _check_dues(semester: Semester, plan_due: dt.date, summary_due: dt.date) -> None:
    problems = []
    if plan_due < semester.starts_on:
        problems.append(_("实施方案截止日期不能早于学期开始。"))
    if summary_due < plan_due:
        problems.append(_("阶段小结截止日期不能早于实施方案截止日期。"))
    if summary_due > semester.ends_on + dt.timedelta(days=60):
        problems.append(_("阶段小结截止日期不能晚于学期结束 60 天以上。"))
    if problems:
        raise ValidationError(problems)


def _make_round(*, semester: Semester, kind: str, due: dt.date, by: Any, community=None) -> Round:
    opens_on = semester.starts_on
    if kind == FilingKind.SUMMARY:
        opens_on = max(semester.starts_on, due - dt.timedelta(days=PLAN_DAYS))
    return Round.objects.create(
        kind=ROUND_KIND[kind],
        unit=semester.owner_unit,
        name=_round_name(semester, kind, community)[:200],
        opens_on=opens_on,
        deadline=_deadline(due),
        # A late plan is still wanted: lateness shows against the deadline, it is not refused.
        accept_late=True,
        invite_root=semester.owner_unit,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )


def _due_of(round_obj: Round | None) -> dt.date | None:
    return timezone.localdate(round_obj.deadline) if round_obj is not None else None


def _main_round(semester: Semester, kind: str) -> Round | None:
    return semester.plan_round if kind == FilingKind.PLAN else semester.summary_round


@transaction.atomic
def filings_open(
    *,
    by: Any,
    semester: Semester,
    plan_due: dt.date | None = None,
    summary_due: dt.date | None = None,
) -> int:
    """Open the semester's plan and summary rounds (once) and one filing per active community
    of the semester's owner that has none yet; returns how many filings were made. Given dates
    move the deadlines of the rounds already open."""
    require(by, MANAGE, semester)
    semester = Semester.objects.select_for_update().get(pk=semester.pk)  # scoping: ok managed
    # A date not given keeps the open round's deadline, else the default.
    default_plan, default_summary = default_dues(semester)
    plan_due = plan_due or _due_of(semester.plan_round) or default_plan
    summary_due = summary_due or _due_of(semester.summary_round) or default_summary
    _check_dues(semester, plan_due, summary_due)
    dues = {FilingKind.PLAN: plan_due, FilingKind.SUMMARY: summary_due}
    communities = list(
        Community.objects.active()  # scoping: ok the semester (managed) fixes the owner
        .filter(owner_unit=semester.owner_unit)
        .order_by("number", "pk")
    )
    made = 0
    for kind in (FilingKind.PLAN, FilingKind.SUMMARY):
        main = _main_round(semester, kind)
        if main is None:
            main = _make_round(semester=semester, kind=kind, due=dues[kind], by=by)
            if kind == FilingKind.PLAN:
                semester.plan_round = main
            else:
                semester.summary_round = main
        extra = {
            f.submission.round_id: f.submission.round
            for f in CommunityFiling.objects.filter(  # scoping: ok as above
                semester=semester, kind=kind
            )
            .exclude(submission__round=main)
            .select_related("submission__round")
        }
        rounds = [main, *extra.values()]
        for r in rounds:
            if r.deadline != _deadline(dues[kind]):
                r.deadline = _deadline(dues[kind])
                r.save(update_fields=["deadline"])
        have = set(
            CommunityFiling.objects.filter(  # scoping: ok as above
                semester=semester, kind=kind
            ).values_list("community_id", flat=True)
        )
        for community in communities:
            if community.pk in have:
                continue
            round_obj = _round_free_for(rounds, community.lead_unit_id)
            if round_obj is None:
                # The lead already files for another community in this semester: a round of
                # its own keeps one submission per unit and round.
                round_obj = _make_round(
                    semester=semester, kind=kind, due=dues[kind], by=by, community=community
                )
                rounds.append(round_obj)
            submission = Submission.objects.create(round=round_obj, unit=community.lead_unit)
            CommunityFiling.objects.create(
                semester=semester, community=community, kind=kind, submission=submission
            )
            made += 1
    semester.save(update_fields=["plan_round", "summary_round"])
    audit_record(
        actor=by,
        action="activities.filings_open",
        target=semester,
        unit=semester.owner_unit,
        summary=semester.name,
        data={
            "filings": made,
            "plan_due": plan_due.isoformat(),
            "summary_due": summary_due.isoformat(),
        },
    )
    return made


@transaction.atomic
def semester_open(
    *,
    by: Any,
    owner_unit: Any,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    plan_due: dt.date | None = None,
    summary_due: dt.date | None = None,
) -> Semester:
    """Set up a semester and open its plan and summary filings at once (nothing is kept when
    either step refuses)."""
    from shidian.apps.activities.services import semester_create

    semester = semester_create(
        by=by, owner_unit=owner_unit, name=name, starts_on=starts_on, ends_on=ends_on
    )
    filings_open(by=by, semester=semester, plan_due=plan_due, summary_due=summary_due)
    semester.refresh_from_db()
    return semester


def _round_free_for(rounds: list[Round], unit_id: int) -> Round | None:
    for r in rounds:
        if not Submission.objects.filter(round=r, unit_id=unit_id).exists():  # scoping: ok
            return r
    return None


def record_rows(filing: CommunityFiling) -> list[dict]:
    """The semester's activities of the community with their attendance (planned vs held)."""
    acts = (
        Activity.objects.filter(  # scoping: ok the filing (visible) fixes the community
            community_id=filing.community_id, semester_id=filing.semester_id
        )
        .select_related("host_unit")
        .prefetch_related("attendances")
        .order_by("planned_on", "pk")
    )
    rows = []
    for a in acts:
        visits = list(a.attendances.all())
        rows.append(
            {
                "activity": a,
                "schools": len(visits),
                "attendees": sum(v.attendees for v in visits),
            }
        )
    return rows


def record_text(filing: CommunityFiling) -> str:
    """The summary's prefilled "activities" text: planned against held, with attendance."""
    rows = record_rows(filing)
    planned = [r for r in rows if r["activity"].status != ActivityStatus.CANCELLED]
    held = [r for r in planned if r["activity"].status == ActivityStatus.HELD]
    lines = [_("计划活动 %(p)s 次，已举办 %(h)s 次。") % {"p": len(planned), "h": len(held)}]
    for r in rows:
        a = r["activity"]
        lines.append(
            _(
                "%(day)s %(kind)s“%(theme)s”，%(host)s承办，%(status)s，"
                "%(n)s 所学校 %(people)s 人参加"
            )
            % {
                "day": a.planned_on.isoformat(),
                "kind": a.get_kind_display(),
                "theme": a.theme,
                "host": a.host_unit.name,
                "status": a.get_status_display(),
                "n": r["schools"],
                "people": r["attendees"],
            }
        )
    return "\n".join(lines)


def plan_text(filing: CommunityFiling) -> str:
    """The plan's prefilled "activities" text: the activities already planned this semester."""
    lines = []
    for r in record_rows(filing):
        a = r["activity"]
        if a.status == ActivityStatus.CANCELLED:
            continue
        lines.append(
            _("%(day)s %(kind)s“%(theme)s”，%(host)s承办")
            % {
                "day": a.planned_on.isoformat(),
                "kind": a.get_kind_display(),
                "theme": a.theme,
                "host": a.host_unit.name,
            }
        )
    return "\n".join(lines)


def prefill(filing: CommunityFiling) -> dict[str, str]:
    """Starting values for a blank form's items."""
    text = record_text(filing) if filing.kind == FilingKind.SUMMARY else plan_text(filing)
    return {"activities": text} if text else {}


# The writes: each a thin call of the submission mechanism, which checks FILL / MANAGE on the
# submission (the lead school fills, the office decides), locks, records and audits.


@transaction.atomic
def filing_save(
    *, filing: CommunityFiling, user: Any, answers: Mapping[str, Any], base_version: int
) -> Submission:
    return submissions.submission_save(
        submission=filing.submission, user=user, answers=answers, base_version=base_version
    )


@transaction.atomic
def filing_save_answers(
    *, filing: CommunityFiling, user: Any, changes: Mapping[str, Any], base_version: int
) -> Submission:
    """Change only the items named in ``changes`` (a blank value clears one) and keep the
    others: the API's partial update, one save through the same rules as :func:`filing_save`
    (unknown items refused with ``unknown_item``)."""
    return submissions.submission_save_answers(
        submission=filing.submission, user=user, changes=changes, base_version=base_version
    )


@transaction.atomic
def filing_submit(*, filing: CommunityFiling, user: Any) -> Submission:
    return submissions.submission_submit(submission=filing.submission, user=user)


@transaction.atomic
def filing_return(
    *, filing: CommunityFiling, user: Any, note: str, base_url: str = ""
) -> Submission:
    if not clean_text(note or "", multiline=True).strip():
        raise ValidationError(_("退回时请写明理由。"), code="reason_required")
    return submissions.submission_return(
        submission=filing.submission, user=user, comments={}, note=note, base_url=base_url
    )


@transaction.atomic
def filing_accept(*, filing: CommunityFiling, user: Any) -> Submission:
    return submissions.submission_accept(submission=filing.submission, user=user)


@attach_atomic()
def filing_attach(*, filing: CommunityFiling, user: Any, upload) -> Any:
    return submissions.submission_attach(
        submission=filing.submission, user=user, item_code=ATTACHMENTS, upload=upload
    )


@transaction.atomic
def filing_detach(*, filing: CommunityFiling, evidence: Any, user: Any) -> None:
    """Remove one of the filing's attachments, while the lead may still change the filing."""
    if evidence.submission_id != filing.submission_id or evidence.item_code != ATTACHMENTS:
        raise ValidationError(_("没有这个附件。"), code="unknown_item")
    submissions.submission_detach(evidence=evidence, user=user)


def tell_returned(submission: Submission, *, base_url: str = "") -> None:
    """Tell the lead school's accounts its plan or summary came back, with the reason."""
    from shidian.apps.accounts.models import Role, User
    from shidian.apps.notifications.services import notify

    filing = CommunityFiling.objects.filter(  # scoping: ok the service is handed the submission
        submission=submission
    ).first()
    if filing is None:
        return
    users = User.objects.filter(  # scoping: ok the submission names the unit
        unit_id=submission.unit_id,
        is_active=True,
        role__in=[Role.COORDINATOR, Role.COMMUNITY_LEAD],
    )
    notify(
        list(users),
        "activities.filing_returned",
        _("%(name)s被退回") % {"name": submission.round.name},
        submission.return_note,
        reverse("activities:filing", kwargs={"filing_id": filing.pk}),
        target=submission,
        base_url=base_url,
    )
