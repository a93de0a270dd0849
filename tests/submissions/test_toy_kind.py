"""A kind registered by a test (a two-field text form) goes through the whole mechanism,
draft -> submit -> return -> resubmit -> accept, with revisions, evidence, a review and
notifications, without any campaigns code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.evidence.models import Evidence
from shidian.apps.notifications.models import Notification
from shidian.apps.notifications.services import notify
from shidian.apps.reviews.models import Review
from shidian.apps.reviews.services import review_put, reviews_release
from shidian.apps.submissions import services
from shidian.apps.submissions.kinds import Computed, FormSpec, kind_for, register_kind
from shidian.apps.submissions.models import Revision, Round, Submission
from shidian.apps.submissions.states import Status
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


class PlanForm(FormSpec):
    """A creation plan in two text fields: a goal and the steps; both required."""

    kind = "toy_plan"
    audit_prefix = "toy.plan"
    fields = ("goal", "steps")

    def item_codes(self, round_obj):
        return list(self.fields)

    def clean_item(self, round_obj, code, raw):
        text = (raw or "").strip() if isinstance(raw, str) else raw
        if text in (None, ""):
            return None
        if not isinstance(text, str) or len(text) > 200:
            raise ValidationError(_("内容格式不正确。"))
        return text

    def compute(self, round_obj, answers):
        return Computed(answered=len(answers), total=sum(len(v) for v in answers.values()))

    def on_returned(self, submission, *, base_url=""):
        notify(
            [submission.updated_by] if submission.updated_by else [],
            "toy.return",
            "计划被退回",
            link=f"/toy/{submission.pk}/",
            target=submission,
        )


register_kind(PlanForm())


@pytest.fixture
def plan(tree, coordinator):
    round_obj = Round.objects.create(
        kind="toy_plan",
        unit=tree.county,
        name="创建方案",
        opens_on=timezone.localdate(),
        deadline=timezone.now() + timedelta(days=5),
        invite_root=tree.county,
    )
    return Submission.objects.create(round=round_obj, unit=tree.school)


def test_a_registered_kind_runs_the_whole_path(plan, coordinator, office_user):
    assert isinstance(kind_for(plan.round), PlanForm)
    plan = services.submission_save_item(
        submission=plan, user=coordinator, code="goal", answer="  建成智慧校园 ", base_version=0
    )
    assert (plan.status, plan.version, plan.answers) == (Status.DRAFT, 1, {"goal": "建成智慧校园"})
    with pytest.raises(ValidationError, match="steps"):
        services.submission_submit(submission=plan, user=coordinator)
    plan = services.submission_save(
        submission=plan,
        user=coordinator,
        answers={"goal": "建成智慧校园", "steps": "三步"},
        base_version=1,
    )
    evidence = services.submission_attach(
        submission=plan,
        user=coordinator,
        item_code="steps",
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.7 plan"),
    )
    assert evidence.file.name.startswith(f"evidence/{plan.round_id}/{plan.pk}/")
    plan = services.submission_submit(submission=plan, user=coordinator)
    assert plan.status == Status.SUBMITTED and plan.submitted_at is not None
    # A submitted plan is not edited, and the refusal speaks of any form, not of a sheet.
    with pytest.raises(ValidationError, match="已提交，不能修改") as refused:
        services.submission_save_item(
            submission=plan, user=coordinator, code="goal", answer="改", base_version=plan.version
        )
    assert "自查表" not in refused.value.messages[0]

    # A comment names an item the form has; one on another code is refused, nothing changed.
    with pytest.raises(ValidationError, match="没有这个填报项：budget") as unknown:
        services.submission_return(
            submission=plan, user=office_user, comments={"budget": "补预算"}, note=""
        )
    assert unknown.value.error_list[0].code == "unknown_item"
    assert Submission.objects.get(pk=plan.pk).status == Status.SUBMITTED  # scoping: ok test
    plan = services.submission_return(
        submission=plan, user=office_user, comments={"steps": "请细化"}, note="补充"
    )
    assert plan.status == Status.RETURNED and plan.comments == {"steps": "请细化"}
    assert Notification.objects.filter(kind="toy.return", user=coordinator).exists()  # scoping: ok
    plan = services.submission_save_item(
        submission=plan,
        user=coordinator,
        code="steps",
        answer="一、二、三",
        base_version=plan.version,
    )
    assert plan.status == Status.RETURNED  # still with the unit until resubmitted
    plan = services.submission_submit(submission=plan, user=coordinator)
    assert plan.status == Status.RESUBMITTED

    expert = make_user("toy-expert", tree_unit(plan), "expert")
    plan.round.reviewers.add(expert)
    review_put(submission=plan, reviewer=expert, item_scores={"goal": 1}, total=1)
    assert list(Review.objects.restrict(coordinator)) == []  # blind until released
    reviews_release(round_obj=plan.round, reviewers=[expert], message="已公布")
    assert Review.objects.restrict(coordinator).count() == 1

    plan = services.submission_accept(submission=plan, user=office_user)
    assert plan.status == Status.ACCEPTED
    kinds = list(
        Revision.objects.filter(submission=plan)
        .order_by("number")
        .values_list(  # scoping: ok
            "kind", "status"
        )
    )
    assert kinds == [
        ("save", "draft"),
        ("save", "draft"),
        ("submit", "submitted"),
        ("return", "returned"),
        ("save", "returned"),
        ("submit", "resubmitted"),
        ("accept", "accepted"),
    ]
    assert Evidence.objects.restrict(office_user).get() == evidence
    assert not Evidence.objects.restrict(expert_outside(plan)).exists()


def tree_unit(submission):
    return submission.round.unit


def expert_outside(submission):
    from shidian.apps.orgs.models import OrgUnit

    other = OrgUnit.objects.exclude(pk=submission.round.unit_id).filter(level="county").first()
    return make_user("toy-outsider", other, "office")


def test_only_the_unit_fills_and_only_the_owner_decides(plan, coordinator, office_user, outsider):
    with pytest.raises(PermissionDenied):
        services.submission_save_item(
            submission=plan, user=office_user, code="goal", answer="x", base_version=0
        )
    with pytest.raises(PermissionDenied):
        services.submission_save_item(
            submission=plan, user=outsider, code="goal", answer="x", base_version=0
        )
    plan = services.submission_save(
        submission=plan, user=coordinator, answers={"goal": "a", "steps": "b"}, base_version=0
    )
    plan = services.submission_submit(submission=plan, user=coordinator)
    with pytest.raises(PermissionDenied):
        services.submission_accept(submission=plan, user=coordinator)


def test_conflicts_and_deadline(plan, coordinator):
    plan = services.submission_save_item(
        submission=plan, user=coordinator, code="goal", answer="a", base_version=0
    )
    # another person's page started at version 0 and changes "steps": both keep their work
    plan = services.submission_save_item(
        submission=plan, user=coordinator, code="steps", answer="b", base_version=0
    )
    assert plan.answers == {"goal": "a", "steps": "b"}
    with pytest.raises(services.SubmissionConflict):  # the same item changed meanwhile
        services.submission_save_item(
            submission=plan, user=coordinator, code="goal", answer="c", base_version=0
        )
    with pytest.raises(services.SubmissionConflict):  # whole-form saves need the latest
        services.submission_save(
            submission=plan, user=coordinator, answers={"goal": "z"}, base_version=1
        )
    Round.objects.filter(pk=plan.round_id).update(deadline=timezone.now() - timedelta(hours=1))
    plan.round.refresh_from_db()
    with pytest.raises(ValidationError, match="截止"):
        services.submission_submit(submission=plan, user=coordinator)
    Round.objects.filter(pk=plan.round_id).update(accept_late=True)
    plan.round.refresh_from_db()
    assert services.submission_submit(submission=plan, user=coordinator).status == "submitted"


def test_bad_answers_change_nothing(plan, coordinator):
    with pytest.raises(ValidationError):
        services.submission_save(
            submission=plan, user=coordinator, answers={"goal": "x" * 201}, base_version=0
        )
    plan.refresh_from_db()
    assert plan.version == 0 and plan.answers == {}
    assert not Revision.objects.filter(submission=plan).exists()  # scoping: ok test
