"""URL kwargs of the filing and completeness pages (merged by the lead into
tests/reports/scoping.py), and the small report world the filing tests share.

``report_world(tree)`` adds to the tracking world a published monthly form of 2026 with five
fields (a number, a percent allowing "not applicable", yes/no, a choice, a text), a rule
``connected <= rooms``, its twelve periods (August a vacation month, not expected) and opens
the periods started by 2026-06-15.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from tests.tracking_world import pilot_world

OPENED_BY = dt.date(2026, 6, 15)


@dataclass
class ReportWorld:
    pilots: object
    form: object
    periods: dict  # key -> ReportPeriod


def make_form(programme, *, name="月度调度表", audience="pilots", prefill=False, year=2026):
    from shidian.apps.reports.models import ReportField, ReportForm, ReportPeriod, ReportRule

    form = ReportForm.objects.create(
        programme=programme,
        name=name,
        period_type="monthly",
        due_days=5,
        grace_days=2,
        audience=audience,
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 12, 31),
        prefill=prefill,
        status="published",
    )
    specs = [
        ("rooms", "教室数", "number", {"minimum": 0, "unit_label": "间", "prefill": True}),
        ("connected", "联网教室数", "number", {"minimum": 0}),
        ("share", "多媒体覆盖率", "percent", {"allow_na": True, "required": False}),
        ("trained", "本月开展培训", "yes_no", {}),
        ("level", "进展", "choice", {"choices": ["顺利", "一般", "滞后"]}),
        ("notes", "本月工作", "text", {"required": False}),
    ]
    for order, (code, label, kind, extra) in enumerate(specs):
        ReportField.objects.create(
            form=form, code=code, label=label, type=kind, order=order, **extra
        )
    ReportRule.objects.create(
        form=form,
        left="connected",
        operator="le",
        right="rooms",
        message="联网教室数应不超过教室数",
    )
    for month in range(1, 13):
        last = calendar.monthrange(year, month)[1]
        ends = dt.date(year, month, last)
        due = ends + dt.timedelta(days=5)
        ReportPeriod.objects.create(
            form=form,
            key=f"{year}-{month:02d}",
            label=f"{year}年{month}月",
            starts_on=dt.date(year, month, 1),
            ends_on=ends,
            due_on=due,
            closes_on=due + dt.timedelta(days=2),
            expected=month != 8,
            not_expected_reason="vacation" if month == 8 else "",
        )
    return form


def report_world(tree) -> ReportWorld:
    from shidian.apps.reports.models import ReportForm, ReportPeriod
    from shidian.apps.reports.services.filing import periods_open_due

    world = pilot_world(tree)
    form = ReportForm.objects.filter(programme=world.programme, name="月度调度表").first()
    if form is None:
        form = make_form(world.programme)
        periods_open_due(form, OPENED_BY)
    periods = {p.key: p for p in ReportPeriod.objects.filter(form=form)}  # scoping: ok test
    return ReportWorld(pilots=world, form=form, periods=periods)


def _submission_id(tree):
    from shidian.apps.submissions.models import Submission

    world = report_world(tree)
    return Submission.objects.get(  # scoping: ok test
        round=world.periods["2026-04"].round, unit=tree.school
    ).pk


def _evidence_id(tree):
    from django.core.files.base import ContentFile

    from shidian.apps.evidence.models import Evidence
    from shidian.apps.submissions.models import Submission

    sid = _submission_id(tree)
    found = Evidence.objects.filter(submission_id=sid).first()  # scoping: ok test
    if found:
        return found.pk
    ev = Evidence(
        submission=Submission.objects.get(pk=sid),  # scoping: ok test
        item_code="notes",
        original_name="a.pdf",
        kind="pdf",
        size=4,
    )
    ev.file.save("a.pdf", ContentFile(b"%PDF"), save=True)
    return ev.pk


URL_KWARG_FACTORIES = {
    "submission_id": _submission_id,
    "evidence_id": _evidence_id,
    "form_id": lambda tree: report_world(tree).form.pk,
    "period_id": lambda tree: report_world(tree).periods["2026-04"].pk,
}
PUBLIC_URL_NAMES: set = set()
INSIDER_PERSONAS: dict = {}
