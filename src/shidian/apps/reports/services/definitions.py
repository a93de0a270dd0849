"""Defining a report form (the office's side): the form, its fields and rules, its periods,
publishing and closing.

Every write needs MANAGE on the programme, runs in one transaction, records an audit event,
and raises ValidationError listing every problem with nothing written. Once published, a
form's data has a shape schools have filled against: fields can only get new optional fields,
label changes and a new order; the end date can only move later (new periods are added, none
removed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, VIEW, can, require
from shidian.apps.core.services import audit_record
from shidian.apps.reports.models import (
    Audience,
    FieldType,
    FormStatus,
    PeriodType,
    ReportField,
    ReportForm,
    ReportPeriod,
    ReportRule,
    RuleOperator,
)
from shidian.apps.reports.periods import engine_calendar, key_label
from shidian.engine.errors import EngineInputError
from shidian.engine.formrules import CODE_RE, parse_side
from shidian.engine.periods import Period, generate_periods

MAX_DAYS = 60  # due and grace days beyond two months are typing mistakes, not policies
NUMERIC_TYPES = (FieldType.NUMBER, FieldType.PERCENT, FieldType.YES_NO)
FORM_FIELDS = (
    "name",
    "description",
    "period_type",
    "due_days",
    "grace_days",
    "audience",
    "batch_numbers",
    "calendar",
    "starts_on",
    "ends_on",
    "prefill",
)
# What may still change once schools have a form to fill.
PUBLISHED_FORM_FIELDS = ("name", "description", "due_days", "grace_days", "ends_on", "prefill")


def _audit(by: Any, action: str, form: ReportForm, summary: str, data: dict | None = None):
    audit_record(
        actor=by, action=action, target=form, unit=form.programme.unit, summary=summary, data=data
    )


def _editable(form: ReportForm) -> None:
    if form.status == FormStatus.CLOSED:
        raise ValidationError(_("报表已停用，不能再修改。"))


def _form_problems(values: dict[str, Any], *, programme: Any, by: Any) -> list[str]:
    problems = []
    if not str(values.get("name") or "").strip():
        problems.append(_("请填写报表名称。"))
    if values.get("period_type") not in PeriodType.values:
        problems.append(_("请选择报送周期。"))
    if values.get("audience") not in Audience.values:
        problems.append(_("请选择报送对象。"))
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if not isinstance(starts_on, dt.date) or not isinstance(ends_on, dt.date):
        problems.append(_("请填写开始日期和结束日期。"))
    else:
        if ends_on < starts_on:
            problems.append(_("结束日期早于开始日期。"))
        first, last = dt.date(programme.start_year, 1, 1), dt.date(programme.end_year, 12, 31)
        if starts_on < first or ends_on > last:
            problems.append(
                _("报送日期须在项目年份 %(start)s—%(end)s 之内。")
                % {"start": programme.start_year, "end": programme.end_year}
            )
    for name, label in (("due_days", _("截止天数")), ("grace_days", _("宽限天数"))):
        days = values.get(name)
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_DAYS:
            problems.append(
                _("%(label)s须为 0 到 %(max)s 之间的整数。") % {"label": label, "max": MAX_DAYS}
            )
    calendar = values.get("calendar")
    if calendar is not None and by is not None and not can(by, VIEW, calendar):
        problems.append(_("所选校历不可用。"))
    if values.get("period_type") == PeriodType.SEMESTER and (
        calendar is None or not calendar.terms.exists()
    ):
        problems.append(_("按学期报送须选择一个有学期的校历。"))
    numbers = set(programme.cycles.values_list("number", flat=True))
    batches = values.get("batch_numbers") or []
    unknown = [str(b) for b in batches if b not in numbers]
    if unknown:
        problems.append(_("项目没有这些批次：%(list)s。") % {"list": "、".join(unknown)})
    return problems


@transaction.atomic
def form_create(
    *,
    by: Any,
    programme: Any,
    name: str,
    period_type: str,
    starts_on: dt.date,
    ends_on: dt.date,
    due_days: int = 3,
    grace_days: int = 2,
    description: str = "",
    audience: str = Audience.PILOTS,
    batch_numbers: list[int] | None = None,
    calendar: Any = None,
    prefill: bool = True,
) -> ReportForm:
    require(by, MANAGE, programme)
    values = {
        "name": name,
        "description": description,
        "period_type": period_type,
        "due_days": due_days,
        "grace_days": grace_days,
        "audience": audience,
        "batch_numbers": sorted(set(batch_numbers or [])),
        "calendar": calendar,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "prefill": prefill,
    }
    problems = _form_problems(values, programme=programme, by=by)
    if problems:
        raise ValidationError(problems)
    values["name"] = name.strip()
    form = ReportForm.objects.create(programme=programme, created_by=by, **values)
    _audit(by, "reports.form_create", form, form.name)
    return form


@transaction.atomic
def form_update(*, by: Any, form: ReportForm, **changes: Any) -> ReportForm:
    """Change the form's settings (the keys of FORM_FIELDS); a published form only
    PUBLISHED_FORM_FIELDS, and its end date only later."""
    require(by, MANAGE, form.programme)
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    _editable(form)
    unknown = set(changes) - set(FORM_FIELDS)
    if unknown:
        raise TypeError(f"form_update: unknown fields {sorted(unknown)}")
    problems = []
    if form.status == FormStatus.PUBLISHED:
        frozen = [
            str(ReportForm._meta.get_field(k).verbose_name)
            for k, v in changes.items()
            if k not in PUBLISHED_FORM_FIELDS and v != getattr(form, k)
        ]
        if frozen:
            problems.append(
                _(
                    "报表已发布，不能再修改：%(list)s（可修改名称、说明、截止与宽限天数、延后结束日期）。"
                )
                % {"list": "、".join(frozen)}
            )
        if "ends_on" in changes and changes["ends_on"] < form.ends_on:
            problems.append(_("报表已发布，结束日期只能延后。"))
    values = {k: getattr(form, k) for k in FORM_FIELDS} | changes
    values["batch_numbers"] = sorted(set(values["batch_numbers"] or []))
    problems += _form_problems(values, programme=form.programme, by=by)
    if problems:
        raise ValidationError(problems)
    values["name"] = values["name"].strip()
    for key, value in values.items():
        setattr(form, key, value)
    form.save()
    _audit(by, "reports.form_update", form, form.name, {"changed": sorted(changes)})
    return form


# ----- fields -------------------------------------------------------------------------------


@dataclass
class FieldInput:
    code: str
    label: str
    type: str
    choices: list[str] | None = None
    unit_label: str = ""
    required: bool = True
    allow_na: bool = False
    minimum: float | None = None
    maximum: float | None = None
    prefill: bool = False
    help_text: str = ""


FIELD_ATTRS = tuple(FieldInput.__dataclass_fields__)
# What a published form's existing field may still change.
PUBLISHED_FIELD_ATTRS = ("label", "help_text")


def _field_problems(data: FieldInput, *, form: ReportForm, instance: ReportField | None) -> list:
    problems = []
    code = (data.code or "").strip()
    if not code or not CODE_RE.match(code) or len(code) > 32:
        problems.append(_("代码只能由字母、数字和下划线组成（最多 32 个字符）。"))
    elif form.fields.filter(code=code).exclude(pk=getattr(instance, "pk", None)).exists():
        problems.append(_("代码“%(code)s”已被本表其他字段使用。") % {"code": code})
    if not (data.label or "").strip():
        problems.append(_("请填写字段名称。"))
    if data.type not in FieldType.values:
        problems.append(_("请选择字段类型。"))
    choices = [str(c).strip() for c in (data.choices or []) if str(c).strip()]
    if data.type == FieldType.CHOICE:
        if len(choices) < 2:
            problems.append(_("选项字段至少需要两个选项。"))
        elif len(set(choices)) != len(choices):
            problems.append(_("选项不能重复。"))
    if data.minimum is not None and data.maximum is not None and data.minimum > data.maximum:
        problems.append(_("最小值不能大于最大值。"))
    if data.type == FieldType.PERCENT:
        for bound in (data.minimum, data.maximum):
            if bound is not None and not 0 <= bound <= 100:
                problems.append(_("百分比的最小值和最大值须在 0 到 100 之间。"))
                break
    return problems


def _clean_field(data: FieldInput) -> dict[str, Any]:
    values = {k: getattr(data, k) for k in FIELD_ATTRS}
    values["code"] = data.code.strip()
    values["label"] = data.label.strip()
    values["choices"] = (
        [str(c).strip() for c in (data.choices or []) if str(c).strip()]
        if data.type == FieldType.CHOICE
        else []
    )
    if data.type not in (FieldType.NUMBER, FieldType.PERCENT):
        values["minimum"] = values["maximum"] = None
    return values


@transaction.atomic
def field_add(*, by: Any, form: ReportForm, data: FieldInput) -> ReportField:
    require(by, MANAGE, form.programme)
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    _editable(form)
    problems = _field_problems(data, form=form, instance=None)
    if form.status == FormStatus.PUBLISHED and data.required:
        problems.append(_("报表已发布，只能添加非必填字段：请取消“必填”。"))
    if problems:
        raise ValidationError(problems)
    order = (form.fields.aggregate(m=Max("order"))["m"] or 0) + 1
    field = ReportField.objects.create(form=form, order=order, **_clean_field(data))
    _audit(by, "reports.field_add", form, f"{field.code} {field.label}")
    return field


@transaction.atomic
def field_update(*, by: Any, field: ReportField, data: FieldInput) -> ReportField:
    form = field.form
    require(by, MANAGE, form.programme)
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    _editable(form)
    problems = _field_problems(data, form=form, instance=field)
    values = _clean_field(data)
    if form.status == FormStatus.PUBLISHED:
        changed = [
            str(ReportField._meta.get_field(k).verbose_name)
            for k, v in values.items()
            if k not in PUBLISHED_FIELD_ATTRS and v != getattr(field, k)
        ]
        if changed:
            problems.append(
                _("报表已发布，已有字段只能修改名称和说明，不能修改：%(list)s。")
                % {"list": "、".join(changed)}
            )
    if values["code"] != field.code and _rules_naming(form, field.code):
        problems.append(
            _("校验规则用到了代码“%(code)s”，请先删除这些规则再改代码。") % {"code": field.code}
        )
    if values["type"] not in NUMERIC_TYPES and _rules_naming(form, field.code):
        problems.append(_("校验规则用到了这个字段，只有数值、百分比和是/否字段能用于规则。"))
    if problems:
        raise ValidationError(problems)
    for key, value in values.items():
        setattr(field, key, value)
    field.save()
    _audit(by, "reports.field_update", form, f"{field.code} {field.label}")
    return field


def _rules_naming(form: ReportForm, code: str) -> list[ReportRule]:
    return [r for r in form.rules.all() if code in (r.left.strip(), r.right.strip())]


@transaction.atomic
def field_remove(*, by: Any, field: ReportField) -> None:
    form = field.form
    require(by, MANAGE, form.programme)
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    _editable(form)
    problems = []
    if form.status != FormStatus.DRAFT:
        problems.append(
            _("报表已发布，不能删除字段（学校可能已经填报）；可以改名称或添加新的非必填字段。")
        )
    if rules := _rules_naming(form, field.code):
        problems.append(
            _("有 %(n)s 条校验规则用到这个字段，请先删除这些规则。") % {"n": len(rules)}
        )
    if problems:
        raise ValidationError(problems)
    summary = f"{field.code} {field.label}"
    field.delete()
    _audit(by, "reports.field_remove", form, summary)


@transaction.atomic
def field_move(*, by: Any, field: ReportField, direction: str) -> None:
    """Move a field one place "up" or "down" (renumbers the form's fields 1..n)."""
    form = field.form
    require(by, MANAGE, form.programme)
    _editable(form)
    fields = list(form.fields.select_for_update().order_by("order", "pk"))
    index = next(i for i, f in enumerate(fields) if f.pk == field.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down"):
        raise ValidationError(_("移动方向无效。"))
    if 0 <= other < len(fields):
        fields[index], fields[other] = fields[other], fields[index]
    _renumber(fields)
    _audit(by, "reports.field_move", form, f"{field.code} {direction}")


def _renumber(fields: list[ReportField]) -> None:
    for order, f in enumerate(fields, start=1):
        if f.order != order:
            f.order = order
            f.save(update_fields=["order"])


@transaction.atomic
def field_reorder(*, by: Any, form: ReportForm, codes: list[str]) -> None:
    """Put the fields in the order of ``codes`` (every code exactly once)."""
    require(by, MANAGE, form.programme)
    _editable(form)
    fields = {f.code: f for f in form.fields.select_for_update()}
    if sorted(codes) != sorted(fields):
        raise ValidationError(_("排序须包含本表的每个字段各一次。"))
    _renumber([fields[c] for c in codes])
    _audit(by, "reports.field_move", form, " ".join(codes))


# ----- rules --------------------------------------------------------------------------------


@transaction.atomic
def rule_add(
    *, by: Any, form: ReportForm, left: str, operator: str, right: str, message: str = ""
) -> ReportRule:
    require(by, MANAGE, form.programme)
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    _editable(form)
    fields = {f.code: f for f in form.fields.all()}
    left, right = (left or "").strip(), (right or "").strip()
    problems = []
    if operator not in RuleOperator.values:
        problems.append(_("请选择比较关系。"))
    sides = []
    for text in (left, right):
        if not text:
            problems.append(_("规则两边都要填写：字段代码或数字。"))
            continue
        side = parse_side(text, fields)
        if side.code is None:
            sides.append(side)
            continue
        if side.code not in fields:
            problems.append(_("本表没有代码为“%(code)s”的字段。") % {"code": side.code})
        elif fields[side.code].type not in NUMERIC_TYPES:
            problems.append(
                _("字段“%(label)s”是%(type)s字段，规则只能比较数值、百分比和是/否字段。")
                % {"label": fields[side.code].label, "type": fields[side.code].get_type_display()}
            )
        sides.append(side)
    if len(sides) == 2:
        if sides[0].code is None and sides[1].code is None:
            problems.append(_("规则至少要有一边是字段。"))
        elif sides[0].code is not None and sides[0].code == sides[1].code:
            problems.append(_("规则不能拿一个字段和它自己比较。"))
    if len(message or "") > 200:
        problems.append(_("提示最多 200 个字。"))
    if problems:
        raise ValidationError(problems)
    order = (form.rules.aggregate(m=Max("order"))["m"] or 0) + 1
    rule = ReportRule.objects.create(
        form=form, left=left, operator=operator, right=right, message=message.strip(), order=order
    )
    _audit(by, "reports.rule_add", form, str(rule))
    return rule


@transaction.atomic
def rule_remove(*, by: Any, rule: ReportRule) -> None:
    form = rule.form
    require(by, MANAGE, form.programme)
    _editable(form)
    summary = str(rule)
    rule.delete()
    _audit(by, "reports.rule_remove", form, summary)


# ----- periods, publish, close --------------------------------------------------------------


def periods_preview(form: ReportForm) -> list[Period]:
    """The periods the form's settings give, computed (nothing written)."""
    try:
        return generate_periods(
            form.period_type,
            form.starts_on,
            form.ends_on,
            due_days=form.due_days,
            grace_days=form.grace_days,
            calendar=engine_calendar(form.calendar),
        )
    except EngineInputError as exc:
        if exc.code == "periods.no_terms":
            raise ValidationError(_("按学期报送须选择一个有学期的校历。")) from exc
        raise ValidationError(_("无法生成报送期：请检查开始、结束日期和校历。")) from exc


@dataclass
class Materialised:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept: int = 0  # periods with a round, left as they were


def _site_label(key: str) -> str:
    from django.conf import settings

    with translation.override(settings.LANGUAGE_CODE):
        return key_label(key)[:60]


@transaction.atomic
def periods_materialize(*, by: Any, form: ReportForm) -> Materialised:
    """Make the form's ReportPeriod rows match its settings. Idempotent. A draft's periods are
    regenerated freely; a published form's periods are only added (an end date moved later)
    and updated while they have no round; a period with a round is never changed or deleted."""
    require(by, MANAGE, form.programme)
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    _editable(form)
    wanted = {p.key: p for p in periods_preview(form)}
    existing = {p.key: p for p in form.periods.select_for_update()}
    result = Materialised()
    for key, row in existing.items():
        if key not in wanted and row.round_id is None and form.status == FormStatus.DRAFT:
            row.delete()
            result.deleted += 1
    for key, p in wanted.items():
        values = {
            "label": _site_label(key),
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
            "due_on": p.due_on,
            "closes_on": p.closes_on,
            "expected": p.expected,
            "not_expected_reason": p.reason,
        }
        row = existing.get(key)
        if row is None:
            ReportPeriod.objects.create(form=form, key=key, **values)
            result.created += 1
        elif row.round_id is not None:
            result.kept += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.save()
            result.updated += 1
    if result.created or result.updated or result.deleted:
        _audit(
            by,
            "reports.periods",
            form,
            form.name,
            {"created": result.created, "updated": result.updated, "deleted": result.deleted},
        )
    return result


@transaction.atomic
def form_publish(*, by: Any, form: ReportForm) -> ReportForm:
    require(by, MANAGE, form.programme)
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    problems = []
    if form.status != FormStatus.DRAFT:
        problems.append(_("只有草稿状态的报表可以发布。"))
    if not form.fields.exists():
        problems.append(_("报表还没有字段：请至少添加一个字段。"))
    if not form.periods.filter(expected=True).exists():
        problems.append(_("还没有需要报送的报送期：请先生成报送期。"))
    elif {p.key for p in periods_preview(form)} != set(form.periods.values_list("key", flat=True)):
        problems.append(_("报送期与报表设置不一致：请重新生成报送期。"))
    if problems:
        raise ValidationError(problems)
    form.status = FormStatus.PUBLISHED
    form.save(update_fields=["status", "updated_at"])
    _audit(by, "reports.form_publish", form, form.name)
    return form


@transaction.atomic
def form_close(*, by: Any, form: ReportForm) -> ReportForm:
    require(by, MANAGE, form.programme)
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    if form.status != FormStatus.PUBLISHED:
        raise ValidationError(_("只有已发布的报表可以停用。"))
    form.status = FormStatus.CLOSED
    form.save(update_fields=["status", "updated_at"])
    _audit(by, "reports.form_close", form, form.name)
    return form
