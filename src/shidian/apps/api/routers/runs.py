"""Background work (Runs) the caller may see: ``GET /runs/{id}`` polls any run started through
the API (an exchange import, a selection's matching), under the scope of the area the run
belongs to. The exchange's own poll (``/exchange/runs/{id}``) keeps its shape."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema

from shidian.apps.api import scopes
from shidian.apps.api.auth import need
from shidian.apps.api.errors import ApiError
from shidian.apps.runs.access import get_run_or_404

router = Router(tags=["runs"])

MAX_ID = 2**31 - 1


class ErrorOut(Schema):
    code: str
    message: str


class RunOut(Schema):
    id: int
    kind: str
    status: str
    created_at: str
    finished_at: str | None
    progress_done: int
    progress_total: int
    result: dict | None
    error: ErrorOut | None


def area_of(run: Any) -> str | None:
    """The API area a run belongs to: the one its params name (exchange imports), else the
    first part of its kind (``selection.matching`` -> selection); None outside the API."""
    area = (run.params or {}).get("area") or run.kind.split(".", 1)[0]
    return area if area in scopes.AREAS else None


def run_error(run: Any) -> dict | None:
    """The run's error in the caller's language, as the run page words it."""
    from shidian.apps.runs.errors import GENERIC
    from shidian.apps.runs.registry import get_kind

    if not run.error_code:
        return None
    kind = get_kind(run.kind)
    text = kind.describe_error(run.error_code, run.error_params) if kind else None
    generic = GENERIC.get(run.error_code, run.error_code)
    return {"code": run.error_code, "message": str(text or generic)}


def visible_run(request: HttpRequest, run_id: int) -> Any:
    """The run, if the caller may see it and the token reads its area; else 404 / 403."""
    run = get_run_or_404(request.user, run_id)
    area = area_of(run)
    if area is None:
        raise ApiError(404, "not_found", _("找不到该对象。"))
    need(request, area)
    return run


@router.get("/runs/{run_id}", response=RunOut, url_name="run")
def run(request: HttpRequest, run_id: int = Path(..., ge=1, le=MAX_ID)):
    """A background run the caller started or may see (its ``kind``, status, progress and,
    once ended, its ``result`` or ``error``). Needs the read scope of the run's area."""
    found = visible_run(request, run_id)
    return {
        "id": found.pk,
        "kind": found.kind,
        "status": found.status,
        "created_at": found.created_at.isoformat(),
        "finished_at": found.finished_at.isoformat() if found.finished_at else None,
        "progress_done": found.progress_done,
        "progress_total": found.progress_total,
        "result": found.result or None,
        "error": run_error(found),
    }
