"""What the run card shows, computed once for the template tag and the polling view."""

from __future__ import annotations

import logging
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shidian.apps.runs.access import can_control
from shidian.apps.runs.errors import GENERIC
from shidian.apps.runs.models import Run, RunStatus
from shidian.apps.runs.registry import get_kind, kind_label
from shidian.apps.runs.services import can_retry

log = logging.getLogger(__name__)


def status_label(run: Run) -> str:
    if run.is_interrupted:
        return _("已中断")
    if run.status == RunStatus.RUNNING and run.cancel_requested:
        return _("正在取消")
    return str(run.get_status_display())


def status_class(run: Run) -> str:
    if run.is_interrupted or run.status == RunStatus.FAILED:
        return "badge-err"
    if run.status == RunStatus.SUCCEEDED:
        return "badge-ok"
    if run.status == RunStatus.CANCELLED:
        return ""
    return "badge-warn"


def progress_text(run: Run) -> str:
    if not run.progress_message:
        return ""
    text = _(run.progress_message)  # stored as the source phrase: translated here
    try:
        return text % run.progress_params if run.progress_params else text
    except (KeyError, TypeError, ValueError):
        return text


def error_text(run: Run) -> str:
    code = "interrupted" if run.is_interrupted and not run.error_code else run.error_code
    if not code:
        return ""
    params = dict(run.error_params or {})
    kind = get_kind(run.kind)
    if kind is not None and kind.describe_error is not None:
        try:
            told = kind.describe_error(code, params)
        except Exception:  # noqa: BLE001 - a describer bug must not hide the failure
            log.exception("describe_error of %s failed for %s", run.kind, code)
            told = None
        if told:
            return str(told)
    generic = GENERIC.get(code)
    if generic is not None:
        try:
            return str(generic) % params if "%(" in str(generic) else str(generic)
        except (KeyError, TypeError, ValueError):
            return str(generic)
    return _("任务失败（代码 %(code)s）。") % {"code": code}


def result_text(run: Run) -> str:
    kind = get_kind(run.kind)
    if run.status != RunStatus.SUCCEEDED or kind is None or kind.describe_result is None:
        return ""
    try:
        return str(kind.describe_result(run))
    except Exception:  # noqa: BLE001
        log.exception("describe_result of %s failed", run.kind)
        return ""


def result_link(run: Run) -> tuple[str, str] | None:
    kind = get_kind(run.kind)
    if kind is None or kind.result_link is None or run.status != RunStatus.SUCCEEDED:
        return None
    link = kind.result_link(run)
    return (link[0], str(link[1])) if link else None


def card(run: Run, *, user: Any, reload: bool = False, next_url: str = "") -> dict[str, Any]:
    """The context of runs/_run.html."""
    poll = reverse("runs:card", kwargs={"run_id": run.pk})
    if reload:
        poll += "?reload=1"
    active = run.is_active and not run.is_interrupted
    control = can_control(user, run)
    return {
        "run": run,
        "kind_label": kind_label(run.kind),
        "status_label": status_label(run),
        "status_class": status_class(run),
        "active": active,
        "percent": run.percent,
        "message": progress_text(run),
        "error_text": error_text(run),
        "result_text": result_text(run),
        "result_link": result_link(run),
        "files": list(run.files.all()) if run.status == RunStatus.SUCCEEDED else [],
        "can_cancel": control and run.is_active and not run.cancel_requested,
        "can_retry": control and can_retry(run),
        "poll_url": poll,
        "next_url": next_url,
    }
