"""Setting a programme up and changing it: fields, phases, cycles, members. Every rule that
refuses input lives here (the forms only parse), so the page, the demo and later commands agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils.translation import gettext as _

from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.orgs.models import Level, Locality, SchoolType
from shidian.apps.programmes import access, members
from shidian.apps.programmes.members import MemberRole
from shidian.apps.programmes.models import Cadence, Cycle, Participation, Phase, Programme
from shidian.textclean import clean_text

MIN_YEAR, MAX_YEAR, MAX_SPAN = 2000, 2100, 20


@dataclass
class PhaseInput:
    name: str
    starts_on: date | None
    ends_on: date | None
    order: int = 0
    id: int | None = None


@dataclass
class CycleInput:
    year: int
    target: int
    id: int | None = None


def default_phases(start_year: int, end_year: int) -> list[PhaseInput]:
    """准备阶段 / 正式实施 / 总结推广: the first quarter, the years between, the last half-year."""
    if start_year == end_year:
        spans = [((1, 1), (3, 31)), ((4, 1), (10, 31)), ((11, 1), (12, 31))]
        years = [(start_year, start_year)] * 3
    else:
        spans = [((1, 1), (3, 31)), ((4, 1), (6, 30)), ((7, 1), (12, 31))]
        years = [(start_year, start_year), (start_year, end_year), (end_year, end_year)]
    names = [_("准备阶段"), _("正式实施"), _("总结推广")]
    return [
        PhaseInput(name=str(name), starts_on=date(y1, *a), ends_on=date(y2, *b), order=i)
        for i, (name, (a, b), (y1, y2)) in enumerate(zip(names, spans, years, strict=True), 1)
    ]


def _check_years(start_year: int, end_year: int) -> list[str]:
    if not (MIN_YEAR <= start_year <= MAX_YEAR and MIN_YEAR <= end_year <= MAX_YEAR):
        return [_("年份应在 %(a)s 至 %(b)s 之间。") % {"a": MIN_YEAR, "b": MAX_YEAR}]
    if end_year < start_year:
        return [_("结束年份不能早于起始年份。")]
    if end_year - start_year > MAX_SPAN:
        return [_("项目周期不能超过 %(n)s 年。") % {"n": MAX_SPAN}]
    return []


def _check_phases(phases: Sequence[PhaseInput], start_year: int, end_year: int) -> list[str]:
    errors: list[str] = []
    if not phases:
        return [_("至少需要一个阶段。")]
    first, last = date(start_year, 1, 1), date(end_year, 12, 31)
    names: set[str] = set()
    previous: PhaseInput | None = None
    for phase in sorted(phases, key=lambda p: p.order):
        if not phase.name:
            errors.append(_("阶段名称不能为空。"))
            continue
        if phase.name in names:
            errors.append(_("阶段“%(name)s”重复。") % {"name": phase.name})
        names.add(phase.name)
        if phase.starts_on is None or phase.ends_on is None:
            errors.append(_("阶段“%(name)s”须填写开始和结束日期。") % {"name": phase.name})
            continue
        if phase.ends_on < phase.starts_on:
            errors.append(_("阶段“%(name)s”的结束日期早于开始日期。") % {"name": phase.name})
        if phase.starts_on < first or phase.ends_on > last:
            errors.append(
                _("阶段“%(name)s”的日期须在 %(a)s 至 %(b)s 年之内。")
                % {"name": phase.name, "a": start_year, "b": end_year}
            )
        if previous is not None and previous.ends_on and phase.starts_on <= previous.ends_on:
            errors.append(
                _("阶段“%(name)s”须在“%(prev)s”结束之后开始（阶段日期不能重叠）。")
                % {"name": phase.name, "prev": previous.name}
            )
        previous = phase
    return errors


def _check_cycles(cycles: Sequence[CycleInput], start_year: int, end_year: int) -> list[str]:
    errors: list[str] = []
    if not cycles:
        return [_("至少需要一个批次。")]
    seen: set[int] = set()
    for cycle in cycles:
        if cycle.year in seen:
            errors.append(_("%(year)s 年的批次重复。") % {"year": cycle.year})
        seen.add(cycle.year)
        if not start_year <= cycle.year <= end_year:
            errors.append(
                _("%(year)s 年的批次不在项目年份 %(a)s—%(b)s 之内。")
                % {"year": cycle.year, "a": start_year, "b": end_year}
            )
        if cycle.target < 1:
            errors.append(_("%(year)s 年的目标数应至少为 1。") % {"year": cycle.year})
    return errors


def _check_scope(*, unit: Any, scope_root: Any, levels, school_types, localities) -> list[str]:
    errors = []
    if not scope_root.is_within(unit):
        errors.append(_("参与范围必须在牵头单位之内。"))
    if set(levels) - set(Level.values):
        errors.append(_("单位层级无效。"))
    if set(school_types) - set(SchoolType.values):
        errors.append(_("学校类型无效。"))
    if set(localities) - set(Locality.values):
        errors.append(_("城乡类别无效。"))
    return errors


def _check_members(*, unit: Any, users: Iterable[Any]) -> list[str]:
    return [
        _("%(user)s 不属于牵头单位，不能成为项目成员。") % {"user": u.display_name}
        for u in users
        if u.unit is None or not u.unit.is_within(unit)
    ]


def _validate(data: dict[str, Any], *, unit: Any) -> dict[str, Any]:
    """Clean and check every field; raise one ValidationError listing every problem."""
    data = dict(data)
    data["name"] = clean_text(data.get("name") or "")
    errors: list[str] = []
    if not data["name"]:
        errors.append(_("请填写项目名称。"))
    year_errors = _check_years(data["start_year"], data["end_year"])
    errors += year_errors
    data["scope_levels"] = list(data.get("scope_levels") or [Level.SCHOOL])
    data["scope_school_types"] = list(data.get("scope_school_types") or [])
    data["scope_localities"] = list(data.get("scope_localities") or [])
    errors += _check_scope(
        unit=unit,
        scope_root=data["scope_root"],
        levels=data["scope_levels"],
        school_types=data["scope_school_types"],
        localities=data["scope_localities"],
    )
    data["cadences"] = list(data.get("cadences") or [])
    if set(data["cadences"]) - set(Cadence.values):
        errors.append(_("调度频次无效。"))
    for version in data.get("standard_versions") or []:
        if not version.is_published:
            errors.append(_("只能使用已发布的指标体系版本。"))
    phases = [
        PhaseInput(clean_text(p.name), p.starts_on, p.ends_on, p.order, p.id)
        for p in data.get("phases") or []
    ]
    if not year_errors:
        if phases and all(p.starts_on is None and p.ends_on is None for p in phases):
            # Names without dates: the default dates for the years, in the given order.
            defaults = default_phases(data["start_year"], data["end_year"])
            spans = {i: (d.starts_on, d.ends_on) for i, d in enumerate(defaults)}
            if len(phases) == len(defaults):
                for i, p in enumerate(sorted(phases, key=lambda p: p.order)):
                    p.starts_on, p.ends_on = spans[i]
        if data.get("phases") is None:
            phases = default_phases(data["start_year"], data["end_year"])
        errors += _check_phases(phases, data["start_year"], data["end_year"])
        errors += _check_cycles(data["cycles"], data["start_year"], data["end_year"])
    data["phases"] = phases
    for key in ("leading_group", "office_members"):
        data[key] = list(data.get(key) or [])
        errors += _check_members(unit=unit, users=data[key])
    if errors:
        raise ValidationError(errors)
    return data


FIELDS = (
    "name",
    "start_year",
    "end_year",
    "scope_root",
    "scope_levels",
    "scope_school_types",
    "scope_localities",
    "cadences",
)


@transaction.atomic
def programme_create(
    *,
    by: Any,
    unit: Any,
    cycles: Sequence[CycleInput],
    phases: Sequence[PhaseInput] | None = None,
    **fields: Any,
) -> Programme:
    """Create a programme with its phases (the three default ones when ``phases`` is None),
    cycles and members, and an ``eligible`` participation for every unit in scope."""
    from shidian.apps.programmes.services.participation import participation_sync

    if by is not None and not access.may_create(by):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    data = _validate({**fields, "phases": phases, "cycles": cycles}, unit=unit)
    programme = Programme.objects.create(
        unit=unit,
        created_by=person_or_none(by),
        **{k: data[k] for k in FIELDS},
    )
    programme.standard_versions.set(data.get("standard_versions") or [])
    _phases_set(programme, data["phases"])
    _cycles_set(programme, data["cycles"])
    _members_set(programme, data, by=by)
    created = participation_sync(programme=programme, by=None, audit=False)
    audit_record(
        actor=by,
        action="programmes.create",
        target=programme,
        unit=unit,
        summary=f"{programme.name}: {created}",
        data={"cycles": [[c.year, c.target] for c in data["cycles"]]},
    )
    return programme


@transaction.atomic
def programme_update(
    *,
    by: Any,
    programme: Programme,
    cycles: Sequence[CycleInput],
    phases: Sequence[PhaseInput],
    **fields: Any,
) -> Programme:
    """Change a programme; phases and cycles are matched by id (new rows have none, missing
    ones are deleted unless something already hangs on them). Re-syncs the scope."""
    from shidian.apps.programmes.services.participation import participation_sync

    access.require_manage(by, programme)
    data = _validate({**fields, "phases": phases, "cycles": cycles}, unit=programme.unit)
    for key in FIELDS:
        setattr(programme, key, data[key])
    programme.save()
    if "standard_versions" in data:
        programme.standard_versions.set(data["standard_versions"])
    _phases_set(programme, data["phases"])
    _cycles_set(programme, data["cycles"])
    _members_set(programme, data, by=by)
    created = participation_sync(programme=programme, by=None, audit=False)
    audit_record(
        actor=by,
        action="programmes.update",
        target=programme,
        unit=programme.unit,
        summary=f"{programme.name}: +{created}",
    )
    return programme


def _members_set(programme: Programme, data: dict[str, Any], *, by: Any) -> None:
    members.members_set(
        programme=programme, role=MemberRole.LEADING_GROUP, users=data["leading_group"], by=by
    )
    members.members_set(
        programme=programme, role=MemberRole.OFFICE, users=data["office_members"], by=by
    )


def _delete_or_refuse(rows, message: str) -> None:
    for row in rows:
        try:
            with transaction.atomic():
                row.delete()
        except ProtectedError as exc:
            raise ValidationError(message % {"name": str(row)}) from exc


def _phases_set(programme: Programme, phases: Sequence[PhaseInput]) -> None:
    existing = {p.pk: p for p in Phase.objects.filter(programme=programme)}
    keep = {p.id for p in phases if p.id in existing}
    _delete_or_refuse(
        [p for pk, p in existing.items() if pk not in keep],
        _("阶段“%(name)s”已有关联的自查赋分活动，不能删除。"),
    )
    for order, p in enumerate(sorted(phases, key=lambda p: p.order), 1):
        row = existing.get(p.id) if p.id else None
        row = row or Phase(programme=programme)
        row.name, row.starts_on, row.ends_on, row.order = p.name, p.starts_on, p.ends_on, order
        row.save()


def _cycles_set(programme: Programme, cycles: Sequence[CycleInput]) -> None:
    existing = {c.pk: c for c in Cycle.objects.filter(programme=programme)}
    keep = {c.id for c in cycles if c.id in existing}
    _delete_or_refuse(
        [c for pk, c in existing.items() if pk not in keep],
        _("%(name)s已有试点单位，不能删除。"),
    )
    # Batches are numbered by year. A batch that has pilots keeps its number: the participation
    # history records batch numbers, so renumbering it would rewrite what the history says.
    numbering = {c.id: n for n, c in enumerate(sorted(cycles, key=lambda c: c.year), 1) if c.id}
    with_pilots = set(
        Participation.objects.filter(batch__in=list(keep)).values_list("batch_id", flat=True)
    )
    for pk in with_pilots:
        if numbering.get(pk) != existing[pk].number:
            raise ValidationError(
                _("%(name)s已有试点单位，批次号不能改变：新增的批次请放在其后。")
                % {"name": str(existing[pk])}
            )
    # Move kept rows out of the way of the unique (number) and (year) constraints first.
    Cycle.objects.filter(programme=programme).update(
        number=F("number") + 1000, year=F("year") + 1000
    )
    for number, c in enumerate(sorted(cycles, key=lambda c: c.year), 1):
        row = existing.get(c.id) if c.id else None
        row = row or Cycle(programme=programme)
        row.number, row.year, row.target = number, c.year, c.target
        row.save()
