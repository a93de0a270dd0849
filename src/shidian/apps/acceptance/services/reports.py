"""A pilot's summary report and archive checklist: thin calls of the submission mechanism,
which checks FILL (the pilot) and MANAGE (the office), locks, keeps revisions and audits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shidian.apps.acceptance.kinds import SUMMARY_FILE, documents_of
from shidian.apps.acceptance.models import Status
from shidian.apps.core.access import MANAGE, require
from shidian.apps.evidence.services import attach_atomic
from shidian.apps.submissions import services as submissions
from shidian.apps.submissions.models import Submission


def _open(submission: Submission) -> None:
    acceptance = submission.round.acceptance
    if acceptance.status != Status.OPEN:
        # A state, not the caller's input: the API answers 409 ``closed``.
        raise ValidationError(_("验收结论已确认，不能再修改报送内容。"), code="closed")


@transaction.atomic
def report_save(
    *, submission: Submission, user: Any, answers: Mapping[str, Any], base_version: int
) -> Submission:
    _open(submission)
    return submissions.submission_save(
        submission=submission, user=user, answers=answers, base_version=base_version
    )


@transaction.atomic
def report_save_answers(
    *, submission: Submission, user: Any, changes: Mapping[str, Any], base_version: int
) -> Submission:
    """Change only the answers named in ``changes`` (a blank value clears one) and keep the
    others: the API's partial update, one save under the same rules as :func:`report_save`."""
    _open(submission)
    return submissions.submission_save_answers(
        submission=submission, user=user, changes=changes, base_version=base_version
    )


@transaction.atomic
def report_submit(*, submission: Submission, user: Any) -> Submission:
    _open(submission)
    return submissions.submission_submit(submission=submission, user=user)


@attach_atomic()
def report_attach(*, submission: Submission, user: Any, item_code: str, upload) -> Any:
    _open(submission)
    allowed = {SUMMARY_FILE, *(code for code, _name in documents_of(submission.round))}
    if item_code not in allowed:
        raise ValidationError(_("没有这项档案。"), code="unknown_item")
    return submissions.submission_attach(
        submission=submission, user=user, item_code=item_code, upload=upload
    )


@transaction.atomic
def report_detach(*, evidence: Any, user: Any) -> None:
    _open(evidence.submission)
    submissions.submission_detach(evidence=evidence, user=user)


@transaction.atomic
def report_return(
    *, submission: Submission, user: Any, note: str, base_url: str = ""
) -> Submission:
    """The office sends the pilot's report back with a reason (required), while the round is
    open; the pilot's coordinators are told (the kind's ``on_returned``)."""
    require(user, MANAGE, submission)  # who may not hears so before being told of the reason
    _open(submission)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("退回时请写明理由。"), code="reason_required")
    return submissions.submission_return(
        submission=submission, user=user, comments={}, note=note, base_url=base_url
    )


def tell_returned(submission: Submission, *, base_url: str = "") -> None:
    """Tell the pilot's coordinators their report came back, with the office's note."""
    from django.urls import reverse

    from shidian.apps.accounts.models import Role, User
    from shidian.apps.notifications.services import notify

    users = User.objects.filter(  # scoping: ok the submission names the unit
        unit_id=submission.unit_id, is_active=True, role=Role.COORDINATOR
    )
    notify(
        list(users),
        "acceptance.returned",
        _("%(name)s被退回") % {"name": submission.round.name},
        submission.return_note,
        reverse("acceptance:report", kwargs={"report_id": submission.pk}),
        target=submission,
        base_url=base_url,
    )
