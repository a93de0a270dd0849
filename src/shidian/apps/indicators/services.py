"""Writes of the indicators app: define an indicator (the only write; figures are computed)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.indicators.attributes import SPECS
from shidian.apps.indicators.models import Indicator, Measure, Source

NUMERIC = ("number", "percent", "yes_no")


def indicator_problems(
    *,
    unit: Any,
    name: str,
    source: str,
    attribute: str = "",
    report_field: Any = None,
    measure: str = "",
    denominator_field: Any = None,
    programme: Any = None,
) -> list[str]:
    """Every reason the definition cannot be saved, in the form's words (empty: fine)."""
    problems = []
    if not name.strip():
        problems.append(_("请填写指标名称。"))
    elif Indicator.objects.filter(unit=unit, name=name.strip()).exists():
        problems.append(_("本单位已有同名指标“%(name)s”。") % {"name": name.strip()})
    if source == Source.ATTRIBUTE:
        if attribute not in SPECS:
            problems.append(_("请选择基础信息指标。"))
        if report_field is not None or denominator_field is not None:
            problems.append(_("来源为单位基础信息时不选报表字段。"))
    elif source == Source.REPORT_FIELD:
        if report_field is None:
            problems.append(_("请选择报表字段。"))
        elif report_field.type not in NUMERIC:
            problems.append(_("只能统计数值、百分比或是/否字段。"))
        if measure not in Measure.values:
            problems.append(_("请选择统计方式。"))
        elif (
            report_field is not None
            and measure in (Measure.YES, Measure.SHARE_YES)
            and report_field.type != "yes_no"
        ):
            problems.append(_("“是”的个数和占比只适用于是/否字段。"))
        if denominator_field is not None:
            if measure != Measure.SUM:
                problems.append(_("比率指标的统计方式须为“合计”。"))
            if report_field is not None and denominator_field.form_id != report_field.form_id:
                problems.append(_("分母字段须与字段属于同一张报表。"))
            if denominator_field.type not in ("number", "percent"):
                problems.append(_("分母字段须为数值字段。"))
            if report_field is not None and denominator_field.pk == report_field.pk:
                problems.append(_("分母字段不能是字段本身。"))
        if (
            programme is not None
            and report_field is not None
            and report_field.form.programme_id != programme.pk
        ):
            problems.append(_("报表字段须属于所选试点项目的报表。"))
    else:
        problems.append(_("请选择数据来源。"))
    return problems


@transaction.atomic
def indicator_create(
    *,
    by: Any,
    unit: Any,
    name: str,
    source: str,
    attribute: str = "",
    report_field: Any = None,
    measure: str = "",
    denominator_field: Any = None,
    programme: Any = None,
    unit_label: str = "",
    description: str = "",
) -> Indicator:
    require(by, MANAGE, unit)
    if programme is not None:
        require(by, MANAGE, programme)
    if report_field is not None:
        require(by, MANAGE, report_field)
    problems = indicator_problems(
        unit=unit,
        name=name,
        source=source,
        attribute=attribute,
        report_field=report_field,
        measure=measure,
        denominator_field=denominator_field,
        programme=programme,
    )
    if problems:
        raise ValidationError(problems)
    is_attr = source == Source.ATTRIBUTE
    indicator = Indicator.objects.create(
        unit=unit,
        programme=programme
        if programme is not None
        else (None if is_attr else report_field.form.programme),
        name=name.strip(),
        description=description,
        source=source,
        attribute=attribute if is_attr else "",
        report_field=None if is_attr else report_field,
        measure="" if is_attr else measure,
        denominator_field=None if is_attr else denominator_field,
        unit_label=unit_label,
        created_by=person_or_none(by),
    )
    audit_record(
        actor=by, action="indicators.create", target=indicator, unit=unit, summary=indicator.name
    )
    return indicator
