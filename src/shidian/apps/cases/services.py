"""Writes of the case library: open a case call, save / submit / attach (the pilot), return,
send to experts, give an opinion, accept and publish (the office), and the search index.

Every state change of a case is the submission mechanism's (``submissions.services``); this
module opens the call, checks what only cases ask (a reason to return, images are images) and
keeps the published copy and its words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.cases import text
from shidian.apps.cases.kinds import (
    ATTACHMENTS,
    IMAGES,
    KIND,
    MAX_ATTACHMENT_BYTES,
    MAX_IMAGE_BYTES,
)
from shidian.apps.cases.models import (
    Case,
    CaseOpinion,
    CaseReviewRequest,
    CaseTerm,
    CaseTermStat,
    Verdict,
)
from shidian.apps.core.access import MANAGE, REVIEW, GrantRole, require
from shidian.apps.core.audit import register_actions
from shidian.apps.core.services import audit_record, grant_give
from shidian.apps.evidence.files import check_upload
from shidian.apps.evidence.services import attach_atomic
from shidian.apps.submissions import services as submissions
from shidian.apps.submissions.models import Round, Submission
from shidian.apps.submissions.states import WAITING
from shidian.textclean import clean_text

# Who fills a case: the programme's pilots, and those whose pilot stage is accepted.
PILOT_STATES = ("pilot", "accepted", "conditional")
DEFAULT_DAYS = 30


def register() -> None:
    from shidian.apps.notifications.categories import register_category

    register_actions(
        {
            "cases.call_open": gettext_lazy("发起典型案例征集"),
            "cases.send_review": gettext_lazy("典型案例送专家评审"),
            "cases.opinion": gettext_lazy("专家评审典型案例"),
            "cases.publish": gettext_lazy("典型案例入库"),
            "cases.booklet_create": gettext_lazy("新建案例汇编"),
            "cases.booklet_compile": gettext_lazy("生成案例汇编"),
        }
    )
    register_category("cases", gettext_lazy("典型案例"))


def _deadline(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def pilot_units(programme: Any) -> list[int]:
    from shidian.apps.programmes.models import Participation

    return list(
        Participation.objects.filter(  # scoping: ok the caller manages the programme
            programme=programme, state__in=PILOT_STATES
        )
        .order_by("unit__code")
        .values_list("unit_id", flat=True)
    )


@transaction.atomic
def case_call_open(*, by: Any, programme: Any, name: str, due: dt.date | None = None) -> Round:
    """Open a case call for the programme's pilots: one round of kind ``typical_case`` run by
    the programme's unit, and one submission per pilot."""
    require(by, MANAGE, programme)
    name = clean_text(name or "").strip()[:200]
    today = timezone.localdate()
    due = due or today + dt.timedelta(days=DEFAULT_DAYS)
    problems = []
    if not name:
        problems.append(_("请填写征集名称。"))
    if due < today:
        problems.append(_("截止日期不能早于今天。"))
    units = pilot_units(programme)
    if not units:
        problems.append(_("本项目还没有试点学校。"))
    if problems:
        raise ValidationError(problems)
    round_obj = Round.objects.create(
        kind=KIND,
        unit=programme.unit,
        programme=programme,
        name=name,
        opens_on=today,
        deadline=_deadline(due),
        accept_late=True,
        invite_root=programme.scope_root,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    Submission.objects.bulk_create([Submission(round=round_obj, unit_id=u) for u in units])
    audit_record(
        actor=by,
        action="cases.call_open",
        target=round_obj,
        unit=programme.unit,
        summary=name,
        data={"pilots": len(units), "due": due.isoformat()},
    )
    return round_obj


def case_save(*, submission: Submission, user: Any, answers: dict, base_version: int):
    return submissions.submission_save(
        submission=submission, user=user, answers=answers, base_version=base_version
    )


def case_save_answers(*, submission: Submission, user: Any, changes: dict, base_version: int):
    """Change only the items named in ``changes`` (a blank value clears one) and keep the
    others: the API's partial update, one save through the same rules as :func:`case_save`."""
    return submissions.submission_save_answers(
        submission=submission, user=user, changes=changes, base_version=base_version
    )


def case_submit(*, submission: Submission, user: Any) -> Submission:
    return submissions.submission_submit(submission=submission, user=user)


@attach_atomic()
def case_attach(*, submission: Submission, user: Any, item_code: str, upload: Any):
    """An image (shown in the body) or an attachment; its type comes from its bytes. The
    codes are the API's: ``unknown_item``, ``file_too_large``, ``file_type``."""
    if item_code not in (IMAGES, ATTACHMENTS):
        raise ValidationError(_("没有这个附件类别。"), code="unknown_item")
    if item_code == IMAGES:
        if upload.size > MAX_IMAGE_BYTES:
            raise ValidationError(_("图片不能超过 5 MB。"), code="file_too_large")
        _name, kind = check_upload(upload, max_bytes=MAX_IMAGE_BYTES)
        if kind != "image":
            raise ValidationError(_("只能插入图片（JPG、PNG、GIF、WebP）。"), code="file_type")
    return submissions.submission_attach(
        submission=submission,
        user=user,
        item_code=item_code,
        upload=upload,
        max_bytes=MAX_IMAGE_BYTES if item_code == IMAGES else MAX_ATTACHMENT_BYTES,
    )


@transaction.atomic
def case_detach(*, submission: Submission, user: Any, evidence: Any) -> None:
    """Remove one of the case's images or attachments, while the school may still change the
    case (a line of the body that still names a removed image is then left out, as the
    page does for any id that is not one of the case's images)."""
    if evidence.submission_id != submission.pk or evidence.item_code not in (IMAGES, ATTACHMENTS):
        raise ValidationError(_("没有这个附件类别。"), code="unknown_item")
    submissions.submission_detach(evidence=evidence, user=user)


def case_return(*, submission: Submission, user: Any, note: str, base_url: str = ""):
    if not clean_text(note or "", multiline=True).strip():
        raise ValidationError(_("退回须写明理由。"), code="reason_required")
    return submissions.submission_return(
        submission=submission, user=user, comments={}, note=note, base_url=base_url
    )


def case_experts(user: Any, ids: list[int] | None = None):
    """The experts the office may send a case to (those it sees, active); ``ids`` narrows to
    the ones chosen."""
    from shidian.apps.accounts.models import Role, User

    rows = User.objects.restrict(user).filter(role=Role.EXPERT, is_active=True)
    return rows if ids is None else rows.filter(pk__in=ids)


@transaction.atomic
def case_send_review(*, submission: Submission, user: Any, experts: list[Any]) -> None:
    """Send a submitted case to experts: each gets an expert grant on this submission alone."""
    require(user, MANAGE, submission)
    submission = submissions.lock(submission)
    if submission.status not in WAITING:
        raise ValidationError(_("只能把已提交的案例送审。"), code="not_submitted")
    experts = [e for e in experts if getattr(e, "role", "") == "expert" and e.is_active]
    if not experts:
        raise ValidationError(_("请选择评审专家。"))
    for expert in experts:
        grant_give(by=user, user=expert, role=GrantRole.EXPERT, target=submission)
    request, _made = CaseReviewRequest.objects.get_or_create(
        submission=submission, defaults={"sent_by": user, "version": submission.version}
    )
    if not _made:
        request.version = submission.version
        request.save(update_fields=["version"])
    audit_record(
        actor=user,
        action="cases.send_review",
        target=submission,
        unit=submission.unit,
        data={"experts": [e.pk for e in experts]},
    )


@transaction.atomic
def case_opinion(*, submission: Submission, user: Any, verdict: str, comment: str) -> CaseOpinion:
    require(user, REVIEW, submission)
    if verdict not in Verdict.values:
        raise ValidationError(_("请选择评审意见。"))
    comment = clean_text(comment or "", multiline=True).strip()[:4000]
    if verdict != Verdict.RECOMMEND and not comment:
        raise ValidationError(_("请写明修改或不推荐的理由。"))
    opinion, _made = CaseOpinion.objects.update_or_create(
        submission=submission, expert=user, defaults={"verdict": verdict, "comment": comment}
    )
    audit_record(
        actor=user,
        action="cases.opinion",
        target=submission,
        unit=submission.unit,
        data={"verdict": verdict},
    )
    return opinion


def case_accept(*, submission: Submission, user: Any) -> Case:
    submissions.submission_accept(submission=submission, user=user)
    return Case.objects.get(submission=submission)  # scoping: ok just published


def case_publish(*, submission: Submission, user: Any) -> Case:
    """Copy an accepted submission into the library and index its words (called by the kind's
    ``on_accepted``, inside the acceptance's transaction)."""
    answers = submission.answers
    case, _made = Case.objects.update_or_create(
        submission=submission,
        defaults={
            "programme_id": submission.round.programme_id,
            "unit_id": submission.unit_id,
            "title": answers.get("title", ""),
            "summary": answers.get("summary", ""),
            "body": answers.get("body", ""),
            "subject": answers.get("subject", "") or "",
            "theme": answers.get("theme", "") or "",
            "school_type": submission.unit.school_type or "",
            "published_at": timezone.now(),
            "published_by": user if getattr(user, "is_authenticated", False) else None,
        },
    )
    case_index(case=case)
    audit_record(
        actor=user, action="cases.publish", target=case, unit=submission.unit, summary=case.title
    )
    return case


def case_fields(case: Case) -> dict[str, str]:
    from shidian.apps.cases.kinds import label_of

    tags = " ".join([label_of("subject", case.subject), label_of("theme", case.theme)])
    return {"title": case.title, "tags": tags, "summary": case.summary, "body": case.body}


@transaction.atomic
def case_index(*, case: Case, weights: dict[str, float] | None = None) -> int:
    """(Re)write the case's words and the per-word case counts; returns the number of words."""
    old = list(CaseTerm.objects.filter(case=case).values_list("term", flat=True))
    if old:
        CaseTerm.objects.filter(case=case).delete()
        CaseTermStat.objects.filter(term__in=old).update(cases=F("cases") - 1)
    weights = weights if weights is not None else text.weighted_terms(case_fields(case))
    CaseTerm.objects.bulk_create(
        [CaseTerm(term=t, case=case, weight=w) for t, w in weights.items()], batch_size=1000
    )
    stats_add(list(weights))
    return len(weights)


def stats_add(terms: list[str], by: int = 1) -> None:
    """Add ``by`` to each term's case count (creating the missing rows)."""
    have = set(CaseTermStat.objects.filter(term__in=terms).values_list("term", flat=True))
    CaseTermStat.objects.bulk_create(
        [CaseTermStat(term=t, cases=0) for t in terms if t not in have],
        batch_size=1000,
        ignore_conflicts=True,
    )
    CaseTermStat.objects.filter(term__in=terms).update(cases=F("cases") + by)


def tell_returned(submission: Submission, *, base_url: str = "") -> None:
    """Tell the school's coordinators their case came back, with the reason."""
    from shidian.apps.accounts.models import Role, User
    from shidian.apps.notifications.services import notify

    users = User.objects.filter(  # scoping: ok the submission names the unit
        unit_id=submission.unit_id, is_active=True, role=Role.COORDINATOR
    )
    notify(
        list(users),
        "cases.returned",
        _("典型案例“%(name)s”被退回") % {"name": submission.answers.get("title", "")},
        submission.return_note,
        reverse("cases:submission", kwargs={"case_submission_id": submission.pk}),
        target=submission,
        base_url=base_url,
    )


@transaction.atomic
def stats_rebuild() -> int:
    """Recount every word's cases from the index (after a bulk load); returns the words."""
    from django.db.models import Count

    CaseTermStat.objects.all().delete()
    rows = CaseTerm.objects.values("term").annotate(n=Count("case_id")).order_by()
    made = CaseTermStat.objects.bulk_create(
        [CaseTermStat(term=r["term"], cases=r["n"]) for r in rows.iterator()], batch_size=2000
    )
    return len(made)
