"""Runs' services and executor: progress (throttled), success, cancel mid-run, coded failure,
unexpected errors, atomic writes, retry, interrupted (stale) runs, who may steer a run."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from shidian.apps.runs import presenters
from shidian.apps.runs.errors import Cancelled
from shidian.apps.runs.models import Run, RunStatus
from shidian.apps.runs.progress import Progress
from shidian.apps.runs.services import RunNotAllowed, run_cancel, run_retry, run_start
from tests.conftest import make_user
from tests.runs import kinds
from tests.runs.helpers import execute


def start(user, unit, **params):
    return run_start("tests.count", by=user, unit=unit, params=params)


def test_start_stores_a_queued_run_and_dispatches_on_commit(
    tree, office_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = start(office_user, tree.county, n=3)
        assert Run.objects.get(pk=run.pk).status == RunStatus.QUEUED  # not before commit
    run.refresh_from_db()  # the immediate backend ran it when the transaction committed
    assert run.status == RunStatus.SUCCEEDED and run.result == {"counted": 3}
    assert run.attempts == 1 and run.started_at and run.finished_at >= run.started_at
    assert (run.progress_done, run.progress_total, run.percent) == (3, 3, 100)
    assert run.created_by == office_user and run.language == "zh-hans"


def test_unknown_kind_is_refused(tree, office_user):
    with pytest.raises(ValueError):
        run_start("nope.nothing", by=office_user, unit=tree.county)


def test_progress_is_throttled(tree, office_user):
    run = start(office_user, tree.county)
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, attempts=1)
    run.refresh_from_db()
    now = [100.0]
    progress = Progress(run, interval=1.0, clock=lambda: now[0])
    for i in range(1000):
        progress(i + 1, 1000, "正在计数")
    assert progress.writes == 1  # the first call only
    row = Run.objects.get(pk=run.pk)
    assert (row.progress_done, row.progress_total, row.progress_message) == (1, 1000, "正在计数")
    now[0] += 1.5
    progress(1000, 1000)
    assert progress.writes == 2 and Run.objects.get(pk=run.pk).progress_done == 1000
    progress(1000, 1000, force=True)
    assert progress.writes == 3


def test_progress_message_is_stored_in_the_source_language_and_shown_translated(tree, office_user):
    with translation.override("en"):
        run = execute(start(office_user, tree.county, n=2, cancel_at=1))
    assert run.progress_message == "正在处理……"
    assert presenters.progress_text(run) == "正在处理……"
    with translation.override("en"):
        assert presenters.progress_text(run) == "Working…"


def test_cancel_mid_run_stops_at_the_next_progress_call(tree, office_user):
    run = execute(start(office_user, tree.county, n=10, cancel_at=3))
    assert run.status == RunStatus.CANCELLED
    # Cancel came during step 3; its progress call raised Cancelled: no step 4.
    assert kinds.STEPS == [0, 1, 2, 3]
    assert run.progress_done == 4 and run.finished_at is not None


def test_cancel_of_a_queued_run_ends_it_at_once(tree, office_user):
    run = start(office_user, tree.county)
    run = run_cancel(run=run, by=office_user)
    assert run.status == RunStatus.CANCELLED and run.cancel_requested
    execute(run)
    assert kinds.STEPS == []  # the worker does not claim it


def test_cancel_of_a_running_run_is_a_request(tree, office_user):
    run = start(office_user, tree.county)
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, heartbeat_at=timezone.now())
    run = run_cancel(run=Run.objects.get(pk=run.pk), by=office_user)
    assert run.status == RunStatus.RUNNING and run.cancel_requested
    assert presenters.status_label(run) == "正在取消"


def test_failure_is_recorded_with_a_coded_message(tree, office_user):
    run = execute(start(office_user, tree.county, n=5, fail_at=2))
    assert run.status == RunStatus.FAILED
    assert (run.error_code, run.error_params) == ("boom", {"step": 2})
    assert presenters.error_text(run) == "第 2 步失败。"  # the kind's describe_error


def test_an_unexpected_error_goes_to_the_log_not_to_the_page(tree, office_user, caplog):
    with caplog.at_level(logging.ERROR, logger="shidian.apps.runs.executor"):
        run = execute(start(office_user, tree.county, n=5, crash_at=1))
    assert run.status == RunStatus.FAILED and run.error_code == "internal"
    assert "ZeroDivisionError" in caplog.text  # the traceback is logged
    text = presenters.error_text(run)
    assert "服务器日志" in text and "ZeroDivision" not in text and "Traceback" not in text
    with translation.override("en"):
        assert "server log" in presenters.error_text(run)


def test_a_failed_write_is_not_half_applied(tree, office_user):
    run = execute(start(office_user, tree.county, n=2, rename="改名", fail_in_write=True))
    assert run.status == RunStatus.FAILED
    tree.county.refresh_from_db()
    assert tree.county.name == "甲县"
    done = execute(start(office_user, tree.county, n=2, rename="改名"))
    tree.county.refresh_from_db()
    assert done.status == RunStatus.SUCCEEDED and tree.county.name == "改名"


def test_retry_runs_the_same_run_again(tree, office_user):
    run = execute(start(office_user, tree.county, n=2, fail_once=True))
    assert run.status == RunStatus.FAILED and run.attempts == 1
    assert presenters.card(run, user=office_user)["can_retry"]
    run = run_retry(run=run, by=office_user)
    assert run.status == RunStatus.QUEUED and not run.error_code and run.progress_done == 0
    run = execute(run)
    assert run.status == RunStatus.SUCCEEDED and run.attempts == 2
    with pytest.raises(RunNotAllowed):
        run_retry(run=run, by=office_user)  # a succeeded run is not retried


def test_a_stale_running_run_is_interrupted_and_can_be_retried(tree, office_user, settings):
    settings.RUNS_STALE_AFTER = 60
    run = start(office_user, tree.county, n=2)
    old = timezone.now() - dt.timedelta(minutes=5)
    Run.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, attempts=1, started_at=old, heartbeat_at=old
    )
    run.refresh_from_db()
    zombie = Progress(run, interval=0)  # the worker that was thought dead
    assert run.is_interrupted and presenters.status_label(run) == "已中断"
    card = presenters.card(run, user=office_user)
    assert not card["active"] and card["can_retry"] and "中断" in card["error_text"]
    run = execute(run_retry(run=run, by=office_user))
    assert run.status == RunStatus.SUCCEEDED and run.attempts == 2
    with pytest.raises(Cancelled):
        zombie(1, 2)  # its attempt is over: it writes nothing and stops
    assert Run.objects.get(pk=run.pk).progress_done == 2


def test_a_fresh_running_run_is_not_interrupted(tree, office_user):
    run = start(office_user, tree.county)
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, heartbeat_at=timezone.now())
    run.refresh_from_db()
    assert not run.is_interrupted
    with pytest.raises(RunNotAllowed):
        run_retry(run=run, by=office_user)


def test_only_the_starter_or_a_manager_steers_a_run(tree, coordinator, office_user, outsider):
    colleague = make_user("coord2", tree.school, "coordinator")
    run = start(coordinator, tree.school)
    with pytest.raises(PermissionDenied):
        run_cancel(run=run, by=colleague)
    with pytest.raises(PermissionDenied):
        run_cancel(run=run, by=outsider)
    assert run_cancel(run=run, by=office_user).status == RunStatus.CANCELLED  # the office
    mine = start(coordinator, tree.school)
    assert run_cancel(run=mine, by=coordinator).status == RunStatus.CANCELLED


def test_a_kind_that_is_gone_fails_clearly(tree, office_user):
    run = start(office_user, tree.county)
    Run.objects.filter(pk=run.pk).update(kind="tests.removed")
    run = execute(run)
    assert run.status == RunStatus.FAILED and run.error_code == "unknown_kind"
    assert "tests.removed" in presenters.error_text(run)


def test_access_policy_own_runs_and_managing_roles(tree, coordinator, office_user):
    from shidian.apps.core.access import MANAGE, VIEW, can
    from shidian.apps.runs.access import visible_runs

    expert = make_user("expert1", tree.county, "expert")  # no subtree actions at all
    leader = make_user("leader1", tree.county, "leading_group")
    zone = make_user("zone1", tree.zone, "zone")
    mine = start(expert, tree.county)
    school_run = start(coordinator, tree.school)
    assert list(visible_runs(expert)) == [mine] and can(expert, MANAGE, mine)
    assert not can(expert, VIEW, school_run)
    assert set(visible_runs(leader)) == {mine, school_run} and can(leader, MANAGE, school_run)
    assert set(visible_runs(office_user)) == {mine, school_run}
    assert list(visible_runs(zone)) == []  # a zone sees its own runs, not its schools'
    assert not can(zone, MANAGE, school_run)
