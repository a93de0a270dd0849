"""The expert assignment step's Run kind: solve the assignment with the engine, then replace the
selection's pairs and grants in one transaction (nothing half-applied on failure or cancel).

The page checks the counts before it starts the run (services.review.assignment_problems), so
a run fails only when the engine finds no assignment or the selection changed meanwhile; the
reason is stored as a code and told in the reader's language.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.runs.errors import RunError
from shidian.apps.runs.registry import run_kind

KIND = "selection.assignment"


def _describe_error(code: str, params: dict) -> str | None:
    if code == "check":
        return _("未能分配：%(detail)s") % {"detail": params.get("detail", "")}
    if code == "infeasible":
        text = str(params.get("message", "")) or _("找不到满足全部条件的分配。")
        detail = params.get("detail")
        return text + (_("（引擎说明：%(detail)s）") % {"detail": detail} if detail else "")
    return None


def _describe_result(run: Any) -> str:
    result = run.result or {}
    return _("已分配 %(pairs)d 项（每校 %(r)d 位专家；每位专家 %(low)d 到 %(high)d 所）。") % {
        "pairs": result.get("pairs", 0),
        "r": result.get("per_unit", 0),
        "low": result.get("load_min", 0),
        "high": result.get("load_max", 0),
    }


def _result_link(run: Any) -> tuple[str, Any] | None:
    selection_id = (run.params or {}).get("selection_id")
    if not selection_id:
        return None
    return reverse("selection:review", kwargs={"selection_id": selection_id}), gettext_lazy(
        "查看分配"
    )


@run_kind(
    KIND,
    label=gettext_lazy("分配评审专家"),
    describe_error=_describe_error,
    describe_result=_describe_result,
    result_link=_result_link,
)
def assignment(run: Any, progress: Any) -> dict[str, Any]:
    from shidian.apps.core.access import MANAGE
    from shidian.apps.selection import selectors
    from shidian.apps.selection.services import review

    user = run.created_by
    if user is None:
        raise RunError("not_found")
    try:
        selection = selectors.selection_for(
            user=user, selection_id=run.params.get("selection_id"), action=MANAGE
        )
    except (Http404, PermissionDenied) as exc:
        raise RunError("not_found") from exc
    progress(0, 2, gettext_lazy("正在计算分配"), force=True)
    try:
        result = review.compute_assignment(selection, run.params.get("per_unit"))
    except ValidationError as exc:
        raise RunError("check", detail="；".join(exc.messages)) from exc
    except review.AssignmentFailed as exc:
        raise RunError("infeasible", message=exc.message, detail=exc.detail) from exc
    progress(1, 2, gettext_lazy("正在保存分配和授权"))
    try:
        return review.assignment_apply(by=user, selection=selection, result=result)
    except ValidationError as exc:
        raise RunError("check", detail="；".join(exc.messages)) from exc
