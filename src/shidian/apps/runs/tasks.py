"""The one background task of runs: execute a run by id (a thin wrapper of the executor)."""

from __future__ import annotations

from django_tasks import task

from shidian.apps.runs import executor


@task()
def execute_run(run_id: int) -> None:
    executor.run_execute(run_id=run_id)
