"""Plan rounds, filing, approval (frozen versions), revisions and progress."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shidian.apps.plans import services
from shidian.apps.plans.models import Plan, PlanTask, PlanVersion, TaskUpdate
from shidian.apps.plans.progress import completion_for
from shidian.apps.plans.services.filings import current_filing
from shidian.apps.submissions.models import Revision
from shidian.apps.submissions.states import Status
from tests.plans.factories import GOALS, TASKS, approved_plan, filed_plan, plan_of, plan_round

pytestmark = pytest.mark.django_db


def pdf(name="done.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.7 evidence")


def test_a_round_makes_one_plan_per_batch_pilot(tree):
    world = plan_round(tree)
    plans = Plan.objects.filter(programme=world.programme)
    assert {p.unit_id for p in plans} == {u.pk for u in world.pilots}
    assert all(current_filing(p).submission.round.name == "请第1批试点提交创建方案" for p in plans)
    with pytest.raises(ValidationError, match="尚未报送"):  # nobody left to invite
        services.plan_round_open(
            programme=world.programme,
            batch=world.batch1,
            user=world.office,
            deadline=current_filing(plans[0]).submission.round.deadline,
        )


def test_a_school_cannot_open_a_round(tree):
    world = pilot_world_only(tree)
    with pytest.raises(PermissionDenied):
        services.plan_round_open(
            programme=world.programme,
            batch=world.batch1,
            user=world.coordinators[tree.school.pk],
            deadline=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        )


def pilot_world_only(tree):
    from tests.tracking_world import pilot_world

    return pilot_world(tree)


def test_bad_rows_are_named_by_row_and_change_nothing(tree):
    world = plan_round(tree)
    plan = plan_of(world, tree.school)
    sub = current_filing(plan).submission
    bad = [
        dict(TASKS[0], due_on="2026-02-01"),
        dict(TASKS[1], weight="很多"),
        dict(TASKS[1], code="T3", starts_on="2031-01-01", due_on="2031-02-01"),
    ]
    with pytest.raises(ValidationError) as caught:
        services.plan_save(
            plan=plan,
            user=world.coordinators[tree.school.pk],
            answers={"goals": GOALS, "tasks": bad},
            base_version=sub.version,
        )
    text = " ".join(caught.value.messages)
    assert "任务第 1 行：完成期限早于开始日期" in text
    assert "任务第 2 行：权重须为数字" in text
    assert "任务第 3 行" in text and "不在项目年度" in text
    sub.refresh_from_db()
    assert sub.answers == {} and sub.version == 0
    assert not Revision.objects.filter(submission=sub).exists()


def test_approval_freezes_a_version_with_the_chosen_weighting(tree):
    world, plan = filed_plan(tree)
    with pytest.raises(PermissionDenied):
        services.plan_approve(plan=plan, user=world.coordinators[tree.school.pk], weighting="count")
    with pytest.raises(ValidationError):
        services.plan_approve(plan=plan, user=world.office, weighting="bogus")
    services.plan_approve(plan=plan, user=world.office, weighting="count")
    version = PlanVersion.objects.get(plan=plan)
    assert (version.number, version.weighting, version.approved_by) == (1, "count", world.office)
    assert version.goals[0]["code"] == "G1"
    assert list(version.tasks.values_list("code", "weight")) == [("T1", 3.0), ("T2", 1.0)]


def test_return_needs_a_note_and_tells_the_school(tree):
    from shidian.apps.notifications.models import Notification

    world, plan = filed_plan(tree)
    with pytest.raises(ValidationError):
        services.plan_return(plan=plan, user=world.office, note=" ")
    services.plan_return(plan=plan, user=world.office, note="请细化任务")
    assert current_filing(plan).submission.status == Status.RETURNED
    assert Notification.objects.filter(
        user=world.coordinators[tree.school.pk], kind="plans.returned"
    ).exists()


def test_done_needs_evidence_and_completion_counts_it(tree):
    world, plan = approved_plan(tree)
    coord = world.coordinators[tree.school.pk]
    with pytest.raises(ValidationError, match="佐证"):
        services.task_update_record(plan=plan, user=coord, task_code="T1", status="done")
    assert not TaskUpdate.objects.exists()
    with pytest.raises(ValidationError):  # not a real PDF: refused, nothing written
        services.task_update_record(
            plan=plan,
            user=coord,
            task_code="T1",
            status="done",
            upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf"),
        )
    assert not TaskUpdate.objects.exists()
    services.task_update_record(
        plan=plan, user=coord, task_code="T1", status="done", upload=pdf(), on=dt.date(2026, 5, 1)
    )
    may = completion_for(world.programme, as_of=dt.date(2026, 5, 31))[tree.school.pk]
    assert may.rate == pytest.approx(0.75)  # T1 weighs 3 of 4
    assert may.weighting == "weight" and may.tasks == 2 and may.late_tasks == 0
    april = completion_for(world.programme, as_of=dt.date(2026, 4, 30))[tree.school.pk]
    assert april.rate == 0.0 and april.behind
    # a unit without an approved plan is absent; before the version's effect, absent too
    assert tree.school2.pk not in completion_for(world.programme, as_of=dt.date(2026, 5, 31))
    assert completion_for(world.programme, as_of=dt.date(2026, 2, 1)) == {}


def test_goal_progress(tree):
    world, plan = approved_plan(tree)
    coord = world.coordinators[tree.school.pk]
    assert (
        completion_for(world.programme, as_of=dt.date(2026, 5, 1))[tree.school.pk].goal_progress
        is None
    )
    services.goal_update_record(
        plan=plan, user=coord, goal_code="G1", value="70", on=dt.date(2026, 5, 1)
    )
    with pytest.raises(ValidationError):
        services.goal_update_record(plan=plan, user=coord, goal_code="G1", value="x")
    got = completion_for(world.programme, as_of=dt.date(2026, 5, 1))[tree.school.pk]
    assert got.goal_progress == pytest.approx(0.5)


def test_a_revision_never_rewrites_a_past_month(tree):
    world, plan = approved_plan(tree)
    coord = world.coordinators[tree.school.pk]
    services.task_update_record(
        plan=plan, user=coord, task_code="T2", status="on_track", on=dt.date(2026, 6, 1)
    )
    june = dt.date(2026, 6, 30)
    july = dt.date(2026, 7, 31)
    before = completion_for(world.programme, as_of=june)
    before_july = completion_for(world.programme, as_of=july)
    assert before[tree.school.pk].late_tasks == 0 and before_july[tree.school.pk].late_tasks == 1

    filing = services.plan_revision_start(plan=plan, user=coord)
    assert filing.number == 2 and filing.submission.answers["tasks"][0]["code"] == "T1"
    with pytest.raises(ValidationError):  # one revision at a time
        services.plan_revision_start(plan=plan, user=coord)
    # v2 cancels T1 (left out) and moves T2
    services.plan_save(
        plan=plan,
        user=coord,
        answers={"goals": GOALS, "tasks": [dict(TASKS[1], due_on="2027-12-31")]},
        base_version=filing.submission.version,
    )
    services.plan_submit(plan=plan, user=coord)
    services.plan_approve(plan=plan, user=world.office, weighting="weight")
    v2 = PlanVersion.objects.get(plan=plan, number=2)
    PlanVersion.objects.filter(pk=v2.pk).update(effective_on=dt.date(2026, 8, 1))
    assert PlanTask.objects.get(version=v2, code="T1").cancelled
    assert PlanTask.objects.get(version__number=1, version__plan=plan, code="T1").cancelled is False

    assert completion_for(world.programme, as_of=june) == before
    assert completion_for(world.programme, as_of=july) == before_july
    august = completion_for(world.programme, as_of=dt.date(2026, 8, 31))[tree.school.pk]
    assert august.tasks == 1 and august.late_tasks == 0  # T1 cancelled from v2 on


def test_a_school_cannot_touch_another_schools_plan(tree):
    world, plan = approved_plan(tree)
    other = world.coordinators[tree.school2.pk]
    with pytest.raises(PermissionDenied):
        services.task_update_record(plan=plan, user=other, task_code="T1", status="on_track")
    with pytest.raises(PermissionDenied):
        services.plan_revision_start(plan=plan, user=other)
