"""Inspection visits: create (units chosen directly, from the bottom of the league table, or by
a stratified random draw with the seed recorded), start, complete, cancel; findings added on
site; a finding that needs action turned into one rectification item per school it covers.

Who: creating and moving a visit, and turning findings into items, are MANAGE on the programme
(the office of its unit, or an office member); adding a finding is MANAGE on the visit or
REVIEW on it (its inspectors).
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, REVIEW, can, require
from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.inspections import states
from shidian.apps.inspections.models import (
    Finding,
    FindingPhoto,
    FindingUnit,
    InspectionVisit,
    SelectionMethod,
    VisitUnit,
)
from shidian.apps.inspections.services.rectification import (
    SEVERITIES,
    TEXT_MAX,
    TITLE_MAX,
    _clean,
    _issue_one,
)

STRATA_KEYS = ("zone", "school_type", "locality")
PHOTOS_MAX = 6
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def population(programme: Any, *, cycle_number: int | None = None) -> list[Any]:
    """The units a visit may choose from: the programme's pilots (of one batch when given)."""
    from shidian.apps.orgs.models import OrgUnit
    from shidian.apps.programmes.models import Participation

    rows = Participation.objects.filter(  # scoping: ok the caller checked the programme
        programme=programme, state="pilot"
    )
    if cycle_number:
        rows = rows.filter(batch__number=cycle_number)
    return list(
        OrgUnit.objects.filter(pk__in=rows.values("unit_id")).order_by("code")  # scoping: ok
    )


def stratum_of(unit: Any, keys: Sequence[str]) -> str:
    parts = []
    for key in keys:
        if key == "zone":
            parts.append(str(unit.zone_id or ""))
        else:
            parts.append(str(getattr(unit, key) or ""))
    return "/".join(parts) or "all"


def stratum_label(unit: Any, keys: Sequence[str]) -> str:
    parts = []
    for key in keys:
        if key == "zone":
            parts.append(unit.zone.name if unit.zone_id else _("无片区"))
        else:
            parts.append(str(getattr(unit, f"get_{key}_display")() or "—"))
    return " / ".join(parts)


def _draw(
    pool: list[Any], *, size: int | None, strata: Sequence[str], seed: int | None
) -> tuple[list[Any], dict[str, Any]]:
    from shidian.engine.errors import EngineInputError
    from shidian.engine.sampling import stratified_draw

    bad = [k for k in strata if k not in STRATA_KEYS]
    if bad:
        raise ValidationError(_("分层依据只能是片区、学校类型或城乡。"))
    if size is None or size < 1:
        raise ValidationError(_("请填写抽取的学校数（至少 1 所）。"))
    if size > len(pool):
        raise ValidationError(
            _("要抽取 %(size)d 所学校，但可抽取的试点学校只有 %(n)d 所。")
            % {"size": size, "n": len(pool)}
        )
    seed = secrets.randbelow(2**31) if seed is None else seed
    if not 0 <= seed < 2**63:
        raise ValidationError(_("随机种子须是非负整数。"))
    keys = {u.pk: stratum_of(u, strata) for u in pool}
    try:
        draw = stratified_draw(list(keys.items()), seed=seed, size=size)
    except EngineInputError as error:  # pragma: no cover - the checks above come first
        raise ValidationError(error.message) from None
    by_id = {u.pk: u for u in pool}
    labels = {keys[u.pk]: stratum_label(u, strata) for u in pool}
    params = {
        "seed": seed,
        "size": size,
        "strata": list(strata),
        "allocation": [
            {"stratum": labels[k], "key": k, "population": draw.population[k], "drawn": n}
            for k, n in draw.allocation.items()
        ],
        "population": len(pool),
    }
    return [by_id[i] for i in draw.chosen], params


@transaction.atomic
def visit_create(
    *,
    by: Any,
    programme: Any,
    title: str,
    scheduled_on: datetime.date,
    method: str,
    inspectors: Sequence[Any] = (),
    units: Sequence[Any] = (),
    month: str = "",
    count: int | None = None,
    cycle_number: int | None = None,
    size: int | None = None,
    strata: Sequence[str] = (),
    seed: int | None = None,
) -> InspectionVisit:
    """A scheduled visit of the chosen units. ``units`` for the direct method; ``month`` and
    ``count`` (and a batch) for the bottom of the league table; ``size``, ``strata`` and an
    optional ``seed`` (drawn and recorded when not given) for the random draw."""
    from shidian.apps.supervision.selectors import bottom_units

    if by is not None and not may_schedule(by, programme):
        raise PermissionDenied
    problems = []
    title = (title or "").strip()
    if not title:
        problems.append(_("请填写督查名称。"))
    elif len(title) > TITLE_MAX:
        problems.append(_("督查名称不能超过 %(n)d 个字。") % {"n": TITLE_MAX})
    if not isinstance(scheduled_on, datetime.date):
        problems.append(_("请填写督查日期。"))
    if any(not u.is_active for u in inspectors):
        problems.append(_("督查人员的账号须是启用的。"))
    if problems:
        raise ValidationError(problems)
    pool = population(programme, cycle_number=cycle_number)
    in_pool = {u.pk for u in pool}
    params: dict[str, Any] = {}
    if method == SelectionMethod.DIRECT:
        chosen = list(dict.fromkeys(units))
        if not chosen:
            raise ValidationError(_("请至少选择一所学校。"))
        outside = [u.name for u in chosen if u.pk not in in_pool]
        if outside:
            raise ValidationError(
                _("%(names)s不是本项目的试点学校。") % {"names": "、".join(outside)}
            )
    elif method == SelectionMethod.PERFORMANCE:
        if not MONTH.match(month or ""):
            raise ValidationError(_("请按 YYYY-MM 填写通报月份。"))
        if not count or count < 1:
            raise ValidationError(_("请填写末位学校数（至少 1 所）。"))
        ids = bottom_units(programme, month=month, count=count, cycle_number=cycle_number)
        by_id = {u.pk: u for u in pool}
        chosen = [by_id[i] for i in ids if i in by_id]
        if not chosen:
            raise ValidationError(
                _("%(month)s 没有通报排名，无法按末位确定学校。") % {"month": month}
            )
        params = {"month": month, "count": count, "bottom": list(ids)}
    elif method == SelectionMethod.RANDOM:
        chosen, params = _draw(pool, size=size, strata=list(strata), seed=seed)
    else:
        raise ValidationError(_("请选择确定学校的方式。"))
    if cycle_number:
        params["cycle_number"] = cycle_number
    visit = InspectionVisit.objects.create(
        programme=programme,
        title=title,
        scheduled_on=scheduled_on,
        method=method,
        params=params,
        created_by=person_or_none(by),
    )
    visit.inspectors.set(list(inspectors))
    keys = list(strata) if method == SelectionMethod.RANDOM else []
    VisitUnit.objects.bulk_create(
        [
            VisitUnit(visit=visit, unit=u, stratum=stratum_label(u, keys) if keys else "")
            for u in chosen
        ]
    )
    audit_record(
        actor=by,
        action="inspections.visit_create",
        target=visit,
        unit=programme.unit,
        summary=title,
        data={"method": method, "units": len(chosen), "seed": params.get("seed")},
    )
    _tell_inspectors(visit, list(inspectors))
    return visit


def _tell_inspectors(visit: InspectionVisit, inspectors: list[Any]) -> None:
    from django.urls import reverse

    from shidian.apps.notifications.services import notify

    if inspectors:
        notify(
            inspectors,
            "inspections.visit_assigned",
            _("督查安排：%(title)s") % {"title": visit.title},
            _("督查日期 %(day)s。") % {"day": visit.scheduled_on.isoformat()},
            link=reverse("inspections:visit", kwargs={"visit_id": visit.pk}),
            target=visit,
        )


def _visit_move(*, by: Any, visit: InspectionVisit, action: str) -> InspectionVisit:
    require(by, MANAGE, visit)
    visit = InspectionVisit.objects.select_for_update(of=("self",)).get(  # scoping: ok checked
        pk=visit.pk
    )
    try:
        visit.status = states.visit_next(visit.status, action)
    except states.MoveRefused as refused:
        # The state rules' code travels on, so the API tells a state refusal from bad input.
        raise ValidationError(
            _("督查现在是“%(status)s”，不能这样操作。") % {"status": visit.get_status_display()},
            code=refused.code,
        ) from None
    visit.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action=f"inspections.visit_{action}",
        target=visit,
        unit=visit.programme.unit,
        summary=visit.title,
    )
    return visit


@transaction.atomic
def visit_start(*, by: Any, visit: InspectionVisit) -> InspectionVisit:
    return _visit_move(by=by, visit=visit, action="start")


@transaction.atomic
def visit_complete(*, by: Any, visit: InspectionVisit) -> InspectionVisit:
    return _visit_move(by=by, visit=visit, action="complete")


@transaction.atomic
def visit_cancel(*, by: Any, visit: InspectionVisit) -> InspectionVisit:
    return _visit_move(by=by, visit=visit, action="cancel")


def may_schedule(user: Any, programme: Any) -> bool:
    """Who schedules a programme's visits: MANAGE on the programme."""
    return can(user, MANAGE, programme)


def may_record(user: Any, visit: InspectionVisit) -> bool:
    return can(user, MANAGE, visit) or can(user, REVIEW, visit)


def may_turn(user: Any, finding: Finding) -> bool:
    """Who turns a finding into rectification items: MANAGE on the finding (its visit's
    office) and on the programme the items are issued in."""
    return can(user, MANAGE, finding) and can(user, MANAGE, finding.visit.programme)


def indicator_choices(programme: Any) -> list[tuple[str, str]]:
    """The programme's standard indicators as (code, "code name"), first version first."""
    found: list[tuple[str, str]] = []
    for version in programme.standard_versions.order_by("pk"):
        standard = version.as_standard()
        for dimension in standard.dimensions:
            for indicator in dimension.indicators:
                found.append((indicator.code, f"{indicator.code} {indicator.name}"))
    return found


def _check_photos(photos: Sequence[Any]) -> list[tuple[Any, str]]:
    from shidian.apps.evidence.files import check_upload

    if len(photos) > PHOTOS_MAX:
        raise ValidationError(_("每条发现最多上传 %(n)d 张照片。") % {"n": PHOTOS_MAX})
    checked, problems = [], []
    for upload in photos:
        try:
            name, kind = check_upload(upload)
        except ValidationError as error:
            problems.extend(f"{upload.name}: {m}" for m in error.messages)
            continue
        if kind != "image" or not name.lower().endswith(PHOTO_SUFFIXES):
            problems.append(_("%(name)s：照片只接受 JPG、PNG 或 WebP。") % {"name": name})
            continue
        checked.append((upload, name))
    if problems:
        raise ValidationError(problems)
    return checked


@transaction.atomic
def finding_add(
    *,
    by: Any,
    visit: InspectionVisit,
    text: str,
    units: Sequence[Any],
    indicator_code: str = "",
    needs_action: bool = True,
    severity: str = "normal",
    photos: Sequence[Any] = (),
) -> Finding:
    """A finding recorded on site (a phone), covering one or more of the visit's schools."""
    if not may_record(by, visit):
        raise PermissionDenied
    # The stored status, not the caller's copy: a visit completed meanwhile takes no findings.
    visit = InspectionVisit.objects.select_for_update(of=("self",)).get(  # scoping: ok checked
        pk=visit.pk
    )
    if visit.status in (states.COMPLETED, states.CANCELLED):
        # The visit's state, not the input: nothing else in the form matters then.
        raise ValidationError(_("督查已结束，不能再记录发现。"), code="not_allowed")
    problems = []
    text = (text or "").strip()
    if not text:
        problems.append(_("请填写发现的问题。"))
    elif len(text) > TEXT_MAX:
        problems.append(_("发现的问题不能超过 %(n)d 个字。") % {"n": TEXT_MAX})
    if severity not in SEVERITIES:
        problems.append(_("严重程度只能是轻微、一般或严重。"))
    visited = set(visit.visit_units.values_list("unit_id", flat=True))
    units = list(dict.fromkeys(units))
    if not units:
        problems.append(_("请选择这条发现涉及的学校。"))
    elif any(u.pk not in visited for u in units):
        problems.append(_("只能选择本次督查的学校。"))
    codes = {c for c, _label in indicator_choices(visit.programme)}
    indicator_code = (indicator_code or "").strip()
    if codes and indicator_code and indicator_code not in codes:
        problems.append(_("指标 %(code)s 不在本项目的指标体系中。") % {"code": indicator_code})
    if len(indicator_code) > 64:
        problems.append(_("指标代码不能超过 64 个字符。"))
    if problems:
        raise ValidationError(problems)
    checked = _check_photos(photos)
    finding = Finding.objects.create(
        visit=visit,
        indicator_code=indicator_code,
        text=text,
        needs_action=needs_action,
        severity=severity,
        created_by=person_or_none(by),
    )
    FindingUnit.objects.bulk_create([FindingUnit(finding=finding, unit=u) for u in units])
    for upload, name in checked:
        FindingPhoto.objects.create(
            finding=finding,
            file=upload,
            original_name=name,
            size=upload.size,
            uploaded_by=finding.created_by,
        )
    audit_record(
        actor=by,
        action="inspections.finding_add",
        target=finding,
        unit=visit.programme.unit,
        summary=text[:300],
        data={"units": [u.pk for u in units], "photos": len(checked)},
    )
    return finding


@transaction.atomic
def finding_to_items(
    *,
    by: Any,
    finding: Finding,
    due_on: datetime.date,
    title: str = "",
    evidence_required: str = "",
    owner_by_unit: dict[int, Any] | None = None,
) -> list[Any]:
    """One rectification item per school the finding covers, all or none. A finding is turned
    once; it must need action."""
    visit = finding.visit
    if by is not None and not may_turn(by, finding):
        raise PermissionDenied
    finding = Finding.objects.select_for_update(of=("self",)).get(pk=finding.pk)  # scoping: ok
    # The finding's state: 409 in the API, not bad input.
    if not finding.needs_action:
        raise ValidationError(_("这条发现不需要整改。"), code="not_allowed")
    if finding.turned_at is not None:
        raise ValidationError(_("这条发现已经下达过整改。"), code="not_allowed")
    title = (title or "").strip() or finding.text.strip().splitlines()[0][:TITLE_MAX]
    units = [fu.unit for fu in finding.finding_units.select_related("unit").order_by("unit__code")]
    owners = owner_by_unit or {}
    problems: list[str] = []
    for unit in units:
        problems.extend(
            _clean(
                unit=unit,
                title=title,
                due_on=due_on,
                severity=finding.severity,
                description=finding.text,
                evidence_required=evidence_required,
                owner=owners.get(unit.pk),
                programme=visit.programme,
            )
        )
    if problems:
        raise ValidationError(list(dict.fromkeys(problems)))
    items = [
        _issue_one(
            by=by,
            unit=unit,
            title=title,
            due_on=due_on,
            severity=finding.severity,
            description=finding.text,
            evidence_required=evidence_required,
            indicator_code=finding.indicator_code,
            owner=owners.get(unit.pk),
            programme=visit.programme,
            source=finding,
        )
        for unit in units
    ]
    finding.turned_at = timezone.now()
    finding.save(update_fields=["turned_at"])
    return items
