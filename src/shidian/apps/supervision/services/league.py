"""League tables: compute a month's table of one batch from the plans' completion and the
reports' timeliness (the contracts ``plans.progress.completion_for`` and
``reports.completeness.timeliness_for``), publish it, and move the 督办 cases by the engine's
state machine.

Rules (docs/supervision.md): as_of is the month's last day; timeliness and completeness are
over the report periods closing in the month; a missing component is left out of the score
(engine.league.scoring). A draft is replaced by a recompute; a published table is frozen.
Tables are published in month order (a month after a published later one is refused), and
consecutive published tables count as consecutive months for the escalation.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.supervision import months
from shidian.apps.supervision.models import (
    LeagueRow,
    LeagueTable,
    SupervisionCase,
    SupervisionEvent,
    TableStatus,
)
from shidian.engine.errors import EngineInputError
from shidian.engine.league import (
    Components,
    MonthSignal,
    Rules,
    State,
    bottom_set,
    grade_for,
    rank_with_ties,
    score,
    step,
)
from shidian.engine.league.escalation import SEVERITY, Level

UNDER_WAY = ("pilot",)  # participation states whose units are ranked


def table_units(programme: Any, cycle: Any) -> list[int]:
    """The units ranked in ``cycle``'s table: the batch's pilots under way."""
    from shidian.apps.programmes.models import Participation

    return list(
        Participation.objects.filter(  # scoping: ok the caller manages the programme
            programme=programme, batch=cycle, state__in=UNDER_WAY
        )
        .order_by("unit_id")
        .values_list("unit_id", flat=True)
    )


def compute_rows(programme: Any, unit_ids: list[int], month: str, rules: Rules) -> list[dict]:
    """The rows (plain dicts of LeagueRow fields) of ``month`` for ``unit_ids``."""
    from shidian.apps.plans.progress import completion_for
    from shidian.apps.reports.completeness import timeliness_for

    start, end = months.bounds(month)
    completion = completion_for(programme, as_of=end, unit_ids=unit_ids) if unit_ids else {}
    reports = timeliness_for(programme, start=start, end=end, unit_ids=unit_ids) if unit_ids else {}
    rows: dict[int, dict] = {}
    for unit_id in unit_ids:
        c = completion.get(unit_id)
        t = reports.get(unit_id)
        parts = Components(
            plan_rate=c.rate if c else None,
            timeliness=t.timeliness if t else None,
            completeness=t.completeness if t else None,
            goal_progress=c.goal_progress if c else None,
        )
        late = c.late_tasks if c else 0
        missing_reports = t.missing if t else 0
        rows[unit_id] = {
            "unit_id": unit_id,
            "plan_rate": parts.plan_rate,
            "scheduled": c.scheduled if c else None,
            "timeliness": parts.timeliness,
            "completeness": parts.completeness,
            "goal_progress": parts.goal_progress,
            "score": score(parts, rules.weights),
            "behind": bool(c and c.behind),
            "late_tasks": late,
            "missing_reports": missing_reports,
            "overdue": late >= rules.red_late_tasks or missing_reports >= rules.red_missing_reports,
            "missing": parts.missing(rules.weights),
        }
    ranks = rank_with_ties({u: r["score"] for u, r in rows.items()})
    bottom = bottom_set(ranks, rules.bottom_n)
    for unit_id, row in rows.items():
        row["rank"] = ranks[unit_id]
        row["grade"] = grade_for(row["score"], rules.bands)
        row["bottom"] = unit_id in bottom
    return list(rows.values())


def _check(programme: Any, cycle: Any, month: str) -> None:
    problems = []
    if cycle.programme_id != programme.pk:
        problems.append(_("所选批次不属于这个试点项目。"))
    parsed = months.parse(month)
    if parsed is None:
        problems.append(_("月份的格式应为“年-月”，例如 2026-05。"))
    elif not programme.start_year <= parsed[0] <= programme.end_year:
        problems.append(
            _("月份应在项目实施期内（%(a)s—%(b)s年）。")
            % {"a": programme.start_year, "b": programme.end_year}
        )
    elif months.bounds(month)[0] > timezone.localdate():
        problems.append(_("这个月还没有开始，不能计算排名。"))
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def league_compute(
    *, programme: Any, cycle: Any, month: str, by: Any, rules: Rules | dict | None = None
) -> LeagueTable:
    """Compute (or recompute a draft of) ``cycle``'s table for ``month``. A published table is
    frozen: the call raises ValidationError saying so and writes nothing."""
    require(by, MANAGE, programme)
    month = str(month or "").strip()
    _check(programme, cycle, month)
    try:
        rules = rules if isinstance(rules, Rules) else Rules.from_json(rules)
    except (EngineInputError, TypeError, ValueError) as exc:
        raise ValidationError(_("权重或规则有误：%(e)s") % {"e": exc}) from exc
    table = (
        LeagueTable.objects.select_for_update()  # scoping: ok checked above
        .filter(programme=programme, cycle=cycle, month=month)
        .first()
    )
    if table is not None and table.published:
        raise ValidationError(
            _("%(m)s的排名表已经发布，不再重新计算（发布后的数据保持不变）。")
            % {"m": months.label(month)}
        )
    rows = compute_rows(programme, table_units(programme, cycle), month, rules)
    now = timezone.now()
    if table is None:
        table = LeagueTable.objects.create(
            programme=programme,
            cycle=cycle,
            month=month,
            computed_at=now,
            computed_by=person_or_none(by),
            weights=rules.as_json(),
        )
    else:
        table.rows.all().delete()
        table.computed_at = now
        table.computed_by = person_or_none(by)
        table.weights = rules.as_json()
        table.save(update_fields=["computed_at", "computed_by", "weights"])
    LeagueRow.objects.bulk_create([LeagueRow(table=table, **row) for row in rows], batch_size=2000)
    audit_record(
        actor=by,
        action="supervision.compute",
        target=table,
        unit=programme.unit,
        summary=f"{cycle.number} {month} ({len(rows)})",
    )
    return table


def reason_of(row: LeagueRow | dict) -> str:
    """Why a unit is flagged this month, in Chinese (the record and the bulletin are Chinese)."""
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    parts = []
    if get("behind"):
        parts.append("滞后于序时进度")
    if get("bottom"):
        parts.append("排名末位")
    if get("overdue"):
        parts.append(
            f"任务或报送严重逾期（逾期任务{get('late_tasks')}项，未报送{get('missing_reports')}次）"
        )
    return "、".join(parts) if parts else "本月达到要求"


@transaction.atomic
def league_publish(*, table: LeagueTable, by: Any) -> list[SupervisionEvent]:
    """Publish ``table``: frozen from now on; each ranked unit's 督办 case moves one month by the
    state machine (an event per change); units that escalated are notified with a link to their
    page. Returns the events written."""
    require(by, MANAGE, table)
    table = LeagueTable.objects.select_for_update().get(pk=table.pk)  # scoping: ok checked above
    if table.published:
        raise ValidationError(_("这张排名表已经发布。"))
    later = LeagueTable.objects.filter(  # scoping: ok same programme
        programme=table.programme_id,
        cycle=table.cycle_id,
        status=TableStatus.PUBLISHED,
        month__gt=table.month,
    ).first()
    if later is not None:
        raise ValidationError(
            _("已发布了更晚月份（%(m)s）的排名表：请按月份顺序发布。") % {"m": later.month}
        )
    rows = list(table.rows.select_related("unit"))
    cases = {
        c.unit_id: c
        for c in SupervisionCase.objects.select_for_update().filter(  # scoping: ok same programme
            programme=table.programme_id, unit_id__in=[r.unit_id for r in rows]
        )
    }
    actor = person_or_none(by)
    moves: list[tuple[SupervisionCase, Level, Level, str]] = []  # case, from, to, reason
    fresh, touched = [], []
    for row in rows:
        case = cases.get(row.unit_id)
        if case is not None and case.month >= table.month:
            continue  # this month (or a later one) already moved the case
        before = State(Level(case.level), case.streak) if case else State()
        signal = MonthSignal(behind=row.behind, bottom=row.bottom, overdue=row.overdue)
        after = step(before, signal)
        if case is None and after.level == Level.NONE:
            continue
        reason = reason_of(row)[:300]
        if case is None:
            case = SupervisionCase(
                programme_id=table.programme_id, unit=row.unit, opened_month=table.month
            )
            fresh.append(case)
        else:
            touched.append(case)
        changed = after.level != before.level
        case.level, case.streak, case.month = after.level.value, after.streak, table.month
        if changed:
            case.reason = reason
            moves.append((case, before.level, after.level, reason))
    # In bulk: a batch of 7,000 pilots opens 7,000 cases on its first publish.
    SupervisionCase.objects.bulk_create(fresh, batch_size=2000)
    SupervisionCase.objects.bulk_update(
        touched, ["level", "streak", "month", "reason"], batch_size=2000
    )
    events = SupervisionEvent.objects.bulk_create(
        [
            SupervisionEvent(
                case=case,
                table=table,
                month=table.month,
                from_level=was.value,
                to_level=now.value,
                reason=reason,
                by=actor,
            )
            for case, was, now, reason in moves
        ],
        batch_size=2000,
    )
    escalated = [case for case, was, now, _r in moves if SEVERITY[now] > SEVERITY[was]]
    table.status = TableStatus.PUBLISHED
    table.published_at = timezone.now()
    table.published_by = actor
    table.save(update_fields=["status", "published_at", "published_by"])
    _notify_escalated(table, escalated)
    audit_record(
        actor=by,
        action="supervision.publish",
        target=table,
        unit=table.programme.unit,
        summary=f"{table.cycle.number} {table.month}: {len(events)}",
    )
    return events


def _notify_escalated(table: LeagueTable, cases: list[SupervisionCase]) -> None:
    """Tell each escalated unit's active accounts, with a link to the unit's own page."""
    from shidian.apps.accounts.models import User
    from shidian.apps.notifications.services import Note, deliver
    from shidian.apps.supervision.models import CaseLevel

    if not cases:
        return
    by_unit: dict[int, list[Any]] = {}
    for user in User.objects.filter(  # scoping: ok the units' own accounts
        unit_id__in=[c.unit_id for c in cases], is_active=True
    ):
        by_unit.setdefault(user.unit_id, []).append(user)
    link = reverse("supervision:mine")
    notes = []
    for case in cases:
        level = str(CaseLevel(case.level).label)
        subject = _("%(p)s：%(m)s督办（%(l)s）") % {
            "p": table.programme.name,
            "m": months.label(table.month),
            "l": level,
        }
        for user in by_unit.get(case.unit_id, []):
            notes.append(Note(user=user, subject=subject, body=case.reason, link=link))
    if notes:
        deliver(notes, kind="supervision", target=table)
