"""How an approval moves participations: from where each unit is to where the approved
version puts it, through ``programmes.services`` only, checked first against
``programmes.states`` so that a refused move names every school and changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from shidian.apps.core.access import MANAGE, can
from shidian.apps.core.approval import last_return
from shidian.apps.programmes import states
from shidian.apps.programmes.messages import describe
from shidian.apps.programmes.models import Participation
from shidian.apps.selection.models import Selection, SelectionVersion

S = states.State


def site_language() -> str:
    from shidian.apps.notifications.links import recipient_language

    return recipient_language(None)


def last_return_comment(selection: Selection) -> str:
    event = last_return(selection)
    return event.comment if event else ""


def move_participations(
    *,
    by: Any,
    selection: Selection,
    snapshot: dict[str, Any],
    previous: SelectionVersion | None,
    number: int,
) -> int:
    """Move each unit from where it is to where version ``number`` puts it; a unit the state
    rules do not let go there refuses the whole approval (nothing is moved)."""
    from shidian.apps.programmes.services import participation_move_bulk

    programme = selection.programme
    cycles = {c.number: c for c in programme.cycles.all()}
    want: dict[int, states.Position] = {
        p["unit_id"]: states.Position(S.PILOT, p["batch"]) for p in snapshot["pilots"]
    }
    for c in snapshot["controls"]:
        want.setdefault(c["control_id"], states.Position(S.CONTROL))
    before = previous.snapshot if previous else {"pilots": [], "controls": []}
    was_pilot = {p["unit_id"] for p in before["pilots"]}
    was_control = {c["control_id"] for c in before["controls"]}
    shortlisted = set(selection.shortlisted.values_list("unit_id", flat=True))
    recommended = set(selection.recommendations.values_list("unit_id", flat=True))
    rows = {
        p.unit_id: p
        for p in Participation.objects.filter(  # scoping: ok the approval's own programme
            programme=programme, unit_id__in=set(want) | was_pilot | was_control | shortlisted
        ).select_related("unit", "batch")
    }
    missing = sorted(set(want) - set(rows))
    if missing:
        raise ValidationError(
            _("有 %(n)d 所学校不在本项目的参与范围内，不能批准。") % {"n": len(missing)}
        )
    with translation.override(site_language()):
        labels = _reasons(selection, number, comment=last_return_comment(selection))
    plan: list[tuple[int, Participation, str, int | None, str]] = []  # hop, row, to, batch, why
    errors = []
    for unit_id, row in sorted(rows.items(), key=lambda kv: kv[1].unit.path):
        here = states.Position(S(row.state), row.batch.number if row.batch else None)
        target = want.get(unit_id)
        if target is None:
            target = _left_out(here, unit_id in recommended, unit_id in was_pilot)
        if target is None or target == here:
            continue
        hops = [target]
        if target.state == S.PILOT and here.state in (S.ELIGIBLE, S.RECOMMENDED):
            hops = [states.Position(S.SHORTLISTED), target]  # no shortlist step was adopted
        position = here
        try:
            for hop, step in enumerate(hops):
                why = labels["via"] if len(hops) == 2 and hop == 0 else labels[_why(here, step)]
                position = states.move(position, step.state, batch=step.batch, reason=why)
                plan.append((hop, row, step.state.value, step.batch, why))
        except states.TransitionError as exc:
            errors.append(
                _("%(unit)s：%(problem)s") % {"unit": row.unit.name, "problem": describe(exc)}
            )
    if errors:
        raise ValidationError([_("以下学校的参与状态不能按这一版调整，未做任何更改："), *errors])
    groups: dict[tuple[int, str, int | None, str], list[Participation]] = {}
    for hop, row, to, batch, why in plan:
        groups.setdefault((hop, to, batch, why), []).append(row)
    # A leading-group member holding a grant approves without managing the programme: the
    # moves go through as the system (approval was checked) and are recorded as theirs.
    checked = by if by is None or can(by, MANAGE, programme) else None
    for (_hop, to, batch, why), members in sorted(groups.items(), key=lambda kv: kv[0][0]):
        participation_move_bulk(
            by=checked,
            actor=by,
            programme=programme,
            participations=members,
            to=to,
            batch=cycles[batch] if batch is not None else None,
            reason=why,
        )
    return len(plan)


def _left_out(here: states.Position, recommended: bool, was_pilot: bool) -> states.Position | None:
    """Where a unit this version leaves out goes: shortlisted back to recommended or eligible,
    a former control back to eligible, a former pilot withdrawn (with the reason)."""
    if here.state == S.SHORTLISTED:
        return states.Position(S.RECOMMENDED if recommended else S.ELIGIBLE)
    if here.state == S.CONTROL:
        return states.Position(S.ELIGIBLE)
    if here.state == S.PILOT and was_pilot:
        return states.Position(S.WITHDRAWN)
    return None


def _why(here: states.Position, to: states.Position) -> str:
    if to.state == S.PILOT:
        return "batch" if here.state == S.PILOT else "pilot"
    return {S.CONTROL: "control", S.WITHDRAWN: "withdrawn"}.get(to.state, "back")


def _reasons(selection: Selection, number: int, *, comment: str) -> dict[str, str]:
    values = {"name": selection.name, "n": number, "comment": comment[:300]}
    return {
        "pilot": _("“%(name)s”第%(n)d版批准：确定为试点学校") % values,
        "batch": _("“%(name)s”第%(n)d版批准：调整试点批次") % values,
        "control": _("“%(name)s”第%(n)d版批准：确定为对照学校") % values,
        "back": _("“%(name)s”第%(n)d版批准：未列入试点和对照") % values,
        "via": _("“%(name)s”第%(n)d版批准：未经入围测算，按批准名单列为入围") % values,
        "withdrawn": (
            _("“%(name)s”第%(n)d版调整：不再列为试点（%(comment)s）") % values
            if comment
            else _("“%(name)s”第%(n)d版调整：不再列为试点") % values
        ),
    }
