"""The matching step's Run kind: one MatchRun computed by ``engine.matching.match_controls``.

The computation comes first; the MatchRun's status and result are written in one transaction at
the end, so a failure or a cancel leaves the MatchRun without a half-written result (``on_end``
marks it failed).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.runs.errors import RunError
from shidian.apps.runs.registry import run_kind
from shidian.apps.selection.models import MatchRun, RunStatus

KIND = "selection.matching"
STEPS = {
    "fitting the propensity score": gettext_lazy("正在估计倾向得分"),
    "matching": gettext_lazy("正在匹配对照学校"),
    "balance table": gettext_lazy("正在计算平衡性"),
}


def _match_run(run: Any) -> MatchRun:
    found = MatchRun.objects.filter(pk=run.params.get("match_run_id")).first()  # scoping: ok id
    if found is None:
        raise RunError("not_found")
    return found


def _describe_error(code: str, params: dict) -> str | None:
    if code == "match_input":
        return _("匹配没有完成：%(detail)s") % {"detail": params.get("detail", "")}
    return None


def _describe_result(run: Any) -> str:
    result = run.result or {}
    return _("已为 %(matched)d 所试点学校匹配对照学校，%(unmatched)d 所未匹配。") % {
        "matched": result.get("matched", 0),
        "unmatched": result.get("unmatched", 0),
    }


def _result_link(run: Any) -> tuple[str, Any] | None:
    from django.urls import reverse

    match_run = MatchRun.objects.filter(pk=run.params.get("match_run_id")).first()  # scoping: ok
    if match_run is None:
        return None
    url = reverse("selection:controls", kwargs={"selection_id": match_run.selection_id})
    return f"{url}?run={match_run.number}", gettext_lazy("查看匹配结果")


def _on_end(run: Any) -> None:
    """A run that failed or was cancelled leaves its MatchRun failed, never queued."""
    if run.status == "succeeded":
        return
    MatchRun.objects.filter(  # scoping: ok by id
        pk=run.params.get("match_run_id"), status=RunStatus.QUEUED
    ).update(status=RunStatus.FAILED, message=run.error_params.get("detail", "") or run.error_code)


@run_kind(
    KIND,
    label=gettext_lazy("对照组匹配"),
    describe_error=_describe_error,
    describe_result=_describe_result,
    result_link=_result_link,
    on_end=_on_end,
)
def matching(run: Any, progress: Any) -> dict[str, Any]:
    from shidian.apps.core.access import MANAGE, can
    from shidian.apps.selection.services.controls import compute
    from shidian.engine.errors import EngineInputError

    match_run = _match_run(run)
    selection = match_run.selection
    if run.created_by is not None and not can(run.created_by, MANAGE, selection):
        raise RunError("not_found")  # the starter lost the right since: nothing is computed
    total = len(STEPS) + 1
    done = [0]
    progress(0, total, gettext_lazy("正在读取学校数据"), force=True)

    def step(message: str) -> None:
        done[0] += 1
        progress(done[0], total, STEPS.get(message, message))

    try:
        result = compute(selection, match_run.params, on_step=step)
    except EngineInputError as exc:
        raise RunError("match_input", detail=str(exc)) from exc
    progress(total - 1, total, gettext_lazy("正在保存结果"))
    with transaction.atomic():
        MatchRun.objects.filter(pk=match_run.pk).update(  # scoping: ok by id
            status=RunStatus.DONE, result=result, message=""
        )
    return dict(result["counts"])
