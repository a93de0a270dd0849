"""The formation Run kind: the engine proposes communities; the result becomes draft and v1."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.core.access import MANAGE, can
from shidian.apps.formations import services
from shidian.apps.formations.models import Formation, FormationStatus
from shidian.apps.runs.errors import RunError
from shidian.apps.runs.registry import run_kind

STEPS = (
    gettext_lazy("正在读取学校数据"),
    gettext_lazy("正在测算分组"),
    gettext_lazy("正在保存方案"),
)


def _formation(run: Any) -> Formation | None:
    pk = (run.params or {}).get("formation_id")
    return Formation.objects.filter(pk=pk).first()  # scoping: ok the run's own subject


def _error(code: str, params: dict) -> str | None:
    if code == "infeasible":
        return str(params.get("message") or _("组建条件无法满足。"))
    return None


def _result(run: Any) -> str:
    data = run.result or {}
    return _("已生成组建建议：%(count)s 个共同体。") % {"count": data.get("count", "?")}


def _link(run: Any):
    from django.urls import reverse

    formation = _formation(run)
    if formation is None:
        return None
    return (
        reverse("formations:detail", kwargs={"formation_id": formation.pk}),
        gettext_lazy("查看组建方案"),
    )


def _on_end(run: Any) -> None:
    formation = _formation(run)
    if formation is not None and formation.status == FormationStatus.RUNNING:
        Formation.objects.filter(pk=formation.pk).update(  # scoping: ok its own row
            status=FormationStatus.DRAFT if formation.draft else FormationStatus.SETUP
        )


@run_kind(
    services.KIND,
    label=gettext_lazy("测算共同体组建"),
    describe_result=_result,
    describe_error=_error,
    result_link=_link,
    on_end=_on_end,
)
def form(run: Any, progress: Any) -> dict[str, Any]:
    formation = _formation(run)
    if formation is None or (
        run.created_by is not None and not can(run.created_by, MANAGE, formation)
    ):
        raise RunError("not_found")
    progress(0, len(STEPS), STEPS[0], force=True)
    try:
        progress(1, len(STEPS), STEPS[1], force=True)
        version = services.propose(formation, by=run.created_by)
    except ValidationError as exc:
        raise RunError("infeasible", message=" ".join(exc.messages)) from exc
    progress(len(STEPS), len(STEPS), STEPS[-1], force=True)
    return {"version": version.number, "count": len(version.assignment["leads"])}
