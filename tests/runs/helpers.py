"""Run a queued run in the test, as the worker would (the test transaction never commits, so
run_start's on-commit dispatch does not fire by itself)."""

from __future__ import annotations


def execute(run):
    from shidian.apps.runs.executor import run_execute

    run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def run_about(obj, kind):
    from shidian.apps.runs.models import Run

    return Run.objects.about(obj).filter(kind=kind).first()
