"""The annual report as a Run (kind ``evaluation.annual_report``, registered in
evaluation/runkinds.py): the figures first, read as the starter sees them, then the document in
one transaction; the documents app then compiles the booklet and makes its PDF in its own runs.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shidian.apps.core.access import MANAGE, can, require
from shidian.apps.evaluation.annual.content import annual_content, check_year
from shidian.apps.evaluation.annual.document import report_generate
from shidian.apps.programmes.models import Programme
from shidian.apps.runs.errors import RunError
from shidian.apps.runs.models import Run
from shidian.apps.runs.services import run_start

ANNUAL = "evaluation.annual_report"

ERRORS = {
    "annual_forbidden": _("您已无权为该项目生成年度自评报告。"),
    "annual_year": _("%(year)s 年不是该项目可以自评的年度。"),
}


def describe_error(code: str, params: dict) -> str | None:
    sentence = ERRORS.get(code)
    return str(sentence) % params if sentence is not None else None


def annual_start(*, programme: Programme, year: int, by: Any) -> Run:
    """Queue the report of ``year`` (a year the page's form accepted): only who manages
    ``programme`` may, whether from the page or the API."""
    require(by, MANAGE, programme)
    return run_start(
        ANNUAL,
        by=by,
        unit=programme.unit,
        params={"programme_id": programme.pk, "year": int(year)},
        subject=programme,
    )


def make_report(run: Run, progress: Any) -> dict[str, Any]:
    programme = Programme.objects.filter(pk=run.params.get("programme_id")).first()  # scoping: ok
    user = run.created_by
    if programme is None or user is None:
        raise RunError("not_found")
    if not can(user, MANAGE, programme):
        raise RunError("annual_forbidden")
    year = run.params.get("year")
    try:
        year = check_year(programme, year)
    except ValueError as exc:
        raise RunError("annual_year", year=year) from exc

    def step(done: int, total: int, message: Any) -> None:
        progress(done, total + 1, message)

    content = annual_content(user=user, programme=programme, year=year, progress=step)
    progress(5, 6, _("正在生成报告文档"))
    with transaction.atomic():
        document = report_generate(by=user, content=content, today=timezone.localdate())
    return {"document_id": document.pk, "year": year, "programme_id": programme.pk}
