"""Participation writes: the sync that brings units in scope in, and moves between states.

The rules are ``programmes.states``; this module maps cycles to batch numbers, locks rows,
records the history and the audit event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.orgs.models import OrgUnit
from shidian.apps.programmes import access, states
from shidian.apps.programmes.messages import describe
from shidian.apps.programmes.models import (
    Cycle,
    Participation,
    ParticipationEvent,
    Programme,
)

BATCH_SIZE = 2000


def units_in_scope(programme: Programme):
    """The active units the programme's scope covers (a range query on the path plus filters)."""
    qs = OrgUnit.objects.subtree(programme.scope_root).filter(is_active=True)
    if programme.scope_levels:
        qs = qs.filter(level__in=programme.scope_levels)
    if programme.scope_school_types:
        qs = qs.filter(school_type__in=programme.scope_school_types)
    if programme.scope_localities:
        qs = qs.filter(locality__in=programme.scope_localities)
    return qs


@transaction.atomic
def participation_sync(*, programme: Programme, by: Any = None, audit: bool = True) -> int:
    """Create an ``eligible`` participation for every unit that entered the scope; returns how
    many. Units that left the scope keep their row and history (a pilot stays a pilot)."""
    in_scope = set(units_in_scope(programme).values_list("pk", flat=True))
    present = set(
        Participation.objects.filter(programme=programme).values_list("unit_id", flat=True)
    )
    new = sorted(in_scope - present)
    Participation.objects.bulk_create(
        [Participation(programme=programme, unit_id=pk) for pk in new], batch_size=BATCH_SIZE
    )
    if audit and new:
        audit_record(
            actor=by,
            action="programmes.sync",
            target=programme,
            unit=programme.unit,
            summary=f"{programme.name}: +{len(new)}",
        )
    return len(new)


def _batch_numbers(programme: Programme) -> dict[int, Cycle]:
    return {c.number: c for c in Cycle.objects.filter(programme=programme)}


def _next(participation: Participation, to: str, batch: Cycle | None, reason: str, cycles):
    current = states.Position(
        states.State(participation.state),
        cycles_by_id(cycles).get(participation.batch_id),
    )
    return states.move(
        current,
        to,
        batch=batch.number if batch is not None else None,
        reason=reason,
        batches=set(cycles),
    )


def cycles_by_id(cycles: dict[int, Cycle]) -> dict[int, int]:
    return {c.pk: n for n, c in cycles.items()}


def _check_batch(programme: Programme, batch: Cycle | None) -> None:
    if batch is not None and batch.programme_id != programme.pk:
        raise ValidationError(_("所选批次不属于本项目。"))


@transaction.atomic
def participation_move(
    *,
    by: Any,
    participation: Participation,
    to: str,
    batch: Cycle | None = None,
    reason: str = "",
    actor: Any = None,
) -> Participation:
    """Move one unit; refuses an illegal move with a message in the user's language.

    ``by`` is checked (MANAGE on the programme; None = the system). ``actor``, when given, is
    the person recorded in the history and the audit log instead: a step that checked its own
    permission (a zone recommending its school) moves as the system on that person's behalf."""
    programme = participation.programme
    access.require_manage(by, programme)
    _check_batch(programme, batch)
    row = Participation.objects.select_for_update().get(pk=participation.pk)  # scoping: ok
    cycles = _batch_numbers(programme)
    before = states.Position(states.State(row.state), cycles_by_id(cycles).get(row.batch_id))
    try:
        after = _next(row, to, batch, reason, cycles)
    except states.TransitionError as exc:
        raise ValidationError(describe(exc)) from exc
    _apply([(row, before, after)], cycles=cycles, by=actor or by, reason=reason)
    audit_record(
        actor=actor or by,
        action="programmes.move",
        target=programme,
        unit=row.unit,
        summary=f"{row.unit.name}: {before.state.value} -> {after.state.value}",
        data={"batch": after.batch, "reason": reason[:200]},
    )
    participation.refresh_from_db()
    return participation


@transaction.atomic
def participation_move_bulk(
    *,
    by: Any,
    programme: Programme,
    participations: Sequence[Participation] | Any,
    to: str,
    batch: Cycle | None = None,
    reason: str = "",
    actor: Any = None,
) -> int:
    """Move many units at once, all or nothing: the first unit that may not move refuses the
    whole move, and the message names it. ``actor`` as for :func:`participation_move`."""
    access.require_manage(by, programme)
    _check_batch(programme, batch)
    ids = [p.pk for p in participations]
    rows = list(
        Participation.objects.select_for_update()  # scoping: ok the caller passed these rows
        .filter(programme=programme, pk__in=ids)
        .select_related("unit")
        .order_by("unit__path")
    )
    if len(rows) != len(set(ids)):
        raise ValidationError(_("部分单位不属于本项目。"))
    cycles = _batch_numbers(programme)
    by_id = cycles_by_id(cycles)
    planned = []
    for row in rows:
        before = states.Position(states.State(row.state), by_id.get(row.batch_id))
        try:
            planned.append((row, before, _next(row, to, batch, reason, cycles)))
        except states.TransitionError as exc:
            raise ValidationError(
                _("%(unit)s：%(problem)s 未做任何更改。")
                % {"unit": row.unit.name, "problem": describe(exc)}
            ) from exc
    _apply(planned, cycles=cycles, by=actor or by, reason=reason)
    audit_record(
        actor=actor or by,
        action="programmes.move_bulk",
        target=programme,
        unit=programme.unit,
        summary=f"{programme.name}: {len(planned)} -> {to}",
        data={"batch": batch.number if batch else None, "reason": reason[:200]},
    )
    return len(planned)


def _apply(planned, *, cycles: dict[int, Cycle], by: Any, reason: str) -> None:
    actor = person_or_none(by)
    now = timezone.now()  # bulk_update does not apply auto_now
    events = []
    for row, before, after in planned:
        row.state = after.state.value
        row.batch = cycles[after.batch] if after.batch is not None else None
        row.updated_at = now
        events.append(
            ParticipationEvent(
                participation=row,
                from_state=before.state.value,
                to_state=after.state.value,
                from_batch=before.batch,
                to_batch=after.batch,
                reason=reason.strip()[:500],
                by=actor,
            )
        )
    Participation.objects.bulk_update(
        [row for row, _b, _a in planned], ["state", "batch", "updated_at"], batch_size=BATCH_SIZE
    )
    ParticipationEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
