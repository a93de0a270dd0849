"""The shortlist step's Run kind: solve one kept ShortlistRun and store its result."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.core.access import MANAGE, can
from shidian.apps.runs.errors import RunError
from shidian.apps.runs.registry import run_kind
from shidian.apps.selection.models import RunStatus, ShortlistRun
from shidian.apps.selection.services import shortlist as service

STEPS = (
    gettext_lazy("正在检查候选学校"),
    gettext_lazy("正在求解"),
    gettext_lazy("正在整理结果"),
)


def _shortlist(run: Any) -> ShortlistRun | None:
    pk = (run.params or {}).get("shortlist_run_id")
    return (
        ShortlistRun.objects.select_related("selection", "selection__programme")  # scoping: ok
        .filter(pk=pk)
        .first()
    )


def _result(run: Any) -> str:
    data = run.result or {}
    if data.get("status") == RunStatus.DONE:
        return _("第 %(number)s 次测算完成：入围 %(count)s 所。") % data
    if data.get("status") == RunStatus.INFEASIBLE:
        return _("第 %(number)s 次测算无可行解：请按页面提示放宽约束。") % data
    return _("第 %(number)s 次测算未能完成。") % {"number": data.get("number", "?")}


def _link(run: Any) -> tuple[str, Any] | None:
    from django.urls import reverse

    shortlist = _shortlist(run)
    if shortlist is None:
        return None
    url = reverse("selection:shortlist", kwargs={"selection_id": shortlist.selection_id})
    return f"{url}?run={shortlist.number}", gettext_lazy("查看入围名单")


def _on_end(run: Any) -> None:
    """A run that failed or was cancelled leaves its ShortlistRun failed, never queued."""
    shortlist = _shortlist(run)
    if shortlist is not None and shortlist.status == RunStatus.QUEUED:
        ShortlistRun.objects.filter(pk=shortlist.pk).update(  # scoping: ok its own row
            status=RunStatus.FAILED
        )


@run_kind(
    service.KIND,
    label=gettext_lazy("测算入围名单"),
    describe_result=_result,
    result_link=_link,
    on_end=_on_end,
)
def shortlist(run: Any, progress: Any) -> dict[str, Any]:
    target = _shortlist(run)
    if target is None or (
        run.created_by is not None and not can(run.created_by, MANAGE, target.selection)
    ):
        raise RunError("not_found")
    done = [0]

    def step(_message: str) -> None:
        index = min(done[0], len(STEPS) - 1)
        progress(done[0], len(STEPS), STEPS[index], force=True)
        done[0] += 1

    progress(0, len(STEPS), STEPS[0], force=True)
    outcome = service.compute(target.selection, target.params, step=step)
    with transaction.atomic():
        service.store(target, outcome)
    progress(len(STEPS), len(STEPS), STEPS[-1], force=True)
    count = len(outcome["result"].get("selected", []))
    return {"number": target.number, "status": outcome["status"], "count": count}
