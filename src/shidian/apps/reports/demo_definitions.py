"""Demo report definitions for `shidian demo`: the county's school calendar for the
programme's first school year (two terms, National Day, winter and summer vacation), a monthly
form "智慧校园建设月报" (eight fields and the rule connected classrooms <= classrooms) and a
weekly form "周调度表" (four fields), both published with their periods materialised.

Idempotent: a second call finds the calendar and forms by name and returns them. Years follow
the programme (its start year's September to the next August), so they sit inside it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from shidian.apps.reports.models import ReportForm, SchoolCalendar
from shidian.apps.reports.services.calendars import BreakInput, TermInput, calendar_create
from shidian.apps.reports.services.definitions import (
    FieldInput,
    field_add,
    form_create,
    form_publish,
    periods_materialize,
    rule_add,
)

MONTHLY = "智慧校园建设月报"
WEEKLY = "周调度表"

MONTHLY_FIELDS = [
    FieldInput("classrooms", "教室数", "number", unit_label="间", minimum=0, prefill=True),
    FieldInput("connected", "联网教室数", "number", unit_label="间", minimum=0),
    FieldInput(
        "trained_share", "参训教师占比", "percent", minimum=0, maximum=100, help_text="本月累计"
    ),
    FieldInput("has_fibre", "是否已通光纤", "yes_no", prefill=True),
    FieldInput(
        "platform",
        "主要教学平台",
        "choice",
        choices=["国家智慧教育平台", "省级平台", "县级平台", "其他"],
    ),
    FieldInput("devices", "新增终端数", "number", unit_label="台", minimum=0, allow_na=True),
    FieldInput("summary", "本月工作小结", "text"),
    FieldInput("evidence", "佐证材料", "file", required=False),
]
WEEKLY_FIELDS = [
    FieldInput("lessons", "本周智慧课堂节数", "number", unit_label="节", minimum=0),
    FieldInput("activities", "本周教研活动次数", "number", unit_label="次", minimum=0),
    FieldInput("problems", "存在问题", "text", required=False),
    FieldInput("on_track", "进度是否正常", "yes_no"),
]


def _calendar(unit: Any, office: Any, year: int) -> SchoolCalendar:
    name = f"{unit.name}{year}—{year + 1}学年校历"
    found = SchoolCalendar.objects.filter(unit=unit, name=name).first()  # scoping: ok demo
    if found is not None:
        return found
    d = dt.date
    return calendar_create(
        by=office,
        unit=unit,
        name=name,
        terms=[
            TermInput(f"{year}年秋季学期", d(year, 9, 1), d(year + 1, 1, 22)),
            TermInput(f"{year + 1}年春季学期", d(year + 1, 2, 22), d(year + 1, 7, 2)),
        ],
        breaks=[
            BreakInput("国庆节", d(year, 10, 1), d(year, 10, 7), "holiday"),
            BreakInput("寒假", d(year + 1, 1, 23), d(year + 1, 2, 21), "vacation"),
            BreakInput("劳动节", d(year + 1, 5, 1), d(year + 1, 5, 5), "holiday"),
            BreakInput("暑假", d(year + 1, 7, 3), d(year + 1, 8, 31), "vacation"),
        ],
    )


def _form(
    *, programme: Any, office: Any, name: str, period_type: str, calendar: Any, fields, year: int
) -> ReportForm:
    found = ReportForm.objects.filter(programme=programme, name=name).first()  # scoping: ok demo
    if found is not None:
        return found
    form = form_create(
        by=office,
        programme=programme,
        name=name,
        period_type=period_type,
        starts_on=dt.date(year, 9, 1),
        ends_on=dt.date(year + 1, 8, 31),
        due_days=3 if period_type == "monthly" else 1,
        grace_days=2 if period_type == "monthly" else 1,
        calendar=calendar,
        description="请各试点学校按期如实填报。" if period_type == "monthly" else "",
    )
    for data in fields:
        field_add(by=office, form=form, data=data)
    return form


@transaction.atomic
def load_demo_definitions(*, programme: Any, office: Any) -> dict[str, Any]:
    """The demo calendar and the two published forms (see the module docstring)."""
    year = programme.start_year
    calendar = _calendar(programme.unit, office, year)
    monthly = _form(
        programme=programme,
        office=office,
        name=MONTHLY,
        period_type="monthly",
        calendar=calendar,
        fields=MONTHLY_FIELDS,
        year=year,
    )
    if not monthly.rules.exists():
        rule_add(
            by=office,
            form=monthly,
            left="connected",
            operator="le",
            right="classrooms",
            message="联网教室数不能超过教室数",
        )
    weekly = _form(
        programme=programme,
        office=office,
        name=WEEKLY,
        period_type="weekly",
        calendar=calendar,
        fields=WEEKLY_FIELDS,
        year=year,
    )
    for form in (monthly, weekly):
        if form.status == "draft":
            periods_materialize(by=office, form=form)
            form_publish(by=office, form=form)
            form.refresh_from_db()
    return {"calendar": calendar, "monthly": monthly, "weekly": weekly}
