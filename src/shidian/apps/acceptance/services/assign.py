"""Which panel experts score which pilot (评分分配).

A round without assignments works as it always did: every panel expert holds an expert grant
on the whole round and scores every pilot. Once the office assigns (by hand or from the
proposal, ``engine.acceptance.propose_panel``: ``per_pilot`` experts a pilot, balanced loads, no
conflict of interest), the whole-round grants are revoked and each pair holds a grant narrowed
to its pilot, as selection's expert review does: an expert sees the round and scores only
their pilots. Removing the last pair gives the panel its whole-round grants back.

A pair whose expert has submitted scores stays (re-proposing keeps it, removing it is refused),
unless the expert is in conflict with the pilot; a draft does not hold a pair.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shidian.apps.acceptance.models import AcceptanceRound, Assignment, Status
from shidian.apps.core.access import MANAGE, GrantRole, require
from shidian.apps.core.services import audit_record, grant_give, grant_revoke, person_or_none
from shidian.apps.submissions.reviewers import reviewer_grants, reviewers_add
from shidian.engine.acceptance import Member, conflicts, propose_panel
from shidian.engine.errors import EngineInputError

MAX_PER_PILOT = 20


def panel_of(acceptance: AcceptanceRound) -> list[Any]:
    """The round's experts: those named on it and anyone holding an expert grant on it."""
    from shidian.apps.accounts.models import User

    granted = reviewer_grants(acceptance.round).values("user_id")
    named = acceptance.panel.values("pk")
    users = User.objects.filter(  # scoping: ok the caller may see the round
        Q(pk__in=granted) | Q(pk__in=named), is_active=True
    )
    return list(users.select_related("unit").order_by("username"))


def pairs_of(acceptance: AcceptanceRound) -> list[Assignment]:
    return list(
        Assignment.objects.filter(acceptance=acceptance)  # scoping: ok caller checked round
        .select_related("unit", "expert", "grant")
        .order_by("unit__code", "expert__username")
    )


def submitted_pairs(acceptance: AcceptanceRound) -> set[tuple[int, int]]:
    """(unit id, expert id) of every submitted (not draft) score in the round."""
    from shidian.apps.reviews.models import Review

    found = Review.objects.filter(  # scoping: ok caller checked round
        submission__round=acceptance.round_id, draft=False
    ).values_list("submission__unit_id", "reviewer_id")
    return set(found)


def school_key(unit: Any) -> str | None:
    """The school a unit belongs to: the highest school-level unit on its path."""
    if unit is None:
        return None
    chain = [*unit.ancestors(), unit]
    schools = [u for u in chain if u.level == "school"]
    return schools[0].path if schools else None


def member(unit: Any, ident: Any) -> Member:
    return Member(str(ident), unit.path if unit else "", school=school_key(unit))


def has_conflict(expert: Any, unit: Any) -> bool:
    if expert.unit is None:
        return True
    return conflicts(member(expert.unit, expert.pk), member(unit, unit.pk))


def _locked(acceptance: AcceptanceRound) -> AcceptanceRound:
    locked = AcceptanceRound.objects.select_for_update().get(pk=acceptance.pk)  # scoping: ok
    if locked.status != Status.OPEN:
        raise ValidationError(_("验收结论已确认，分配不能再调整。"), code="closed")
    return locked


def _note(acceptance: AcceptanceRound) -> str:
    return _("验收“%(name)s”评分") % {"name": acceptance.name}


def _narrow(by: Any, acceptance: AcceptanceRound) -> None:
    """Entering assignments: name every current expert on the round, revoke whole grants."""
    acceptance.panel.add(*panel_of(acceptance))
    for grant in reviewer_grants(acceptance.round).filter(unit__isnull=True):
        grant_revoke(by=by, grant=grant)


def _widen(by: Any, acceptance: AcceptanceRound) -> None:
    """No assignment left: the panel scores every pilot again."""
    reviewers_add(by=by, round_obj=acceptance.round, users=list(acceptance.panel.all()))


def _drop(by: Any, pair: Assignment) -> None:
    if pair.grant is not None:
        grant_revoke(by=by, grant=pair.grant)
    pair.delete()


def _add(by: Any, acceptance: AcceptanceRound, unit: Any, expert: Any, *, by_hand: bool):
    grant = grant_give(
        by=by,
        user=expert,
        role=GrantRole.EXPERT,
        target=acceptance.round,
        unit=unit,
        note=_note(acceptance),
    )
    return Assignment.objects.create(
        acceptance=acceptance,
        unit=unit,
        expert=expert,
        grant=grant,
        by_hand=by_hand,
        created_by=person_or_none(by),
    )


def _pilots(acceptance: AcceptanceRound) -> list[Any]:
    from shidian.apps.submissions.models import Submission

    subs = Submission.objects.filter(round=acceptance.round_id)  # scoping: ok checked round
    return [s.unit for s in subs.select_related("unit").order_by("unit__code")]


def assignment_pick(
    acceptance: AcceptanceRound, *, unit: Any, expert: Any, unit_field: str = "pk"
) -> tuple[Any, Any]:
    """The pilot (by ``unit_field``: the page sends its id, the API its code) and the panel
    expert (by id) a hand-made pair names; refused unless both are the round's."""
    wanted = str(unit if unit is not None else "").strip()
    found = next((u for u in _pilots(acceptance) if str(getattr(u, unit_field)) == wanted), None)
    who = str(expert if expert is not None else "").strip()
    chosen = next((e for e in panel_of(acceptance) if str(e.pk) == who), None)
    if found is None or chosen is None:
        raise ValidationError(_("请选择学校和专家。"))
    return found, chosen


def clean_per_pilot(raw: Any) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= MAX_PER_PILOT:
        raise ValidationError(_("每校专家数须是1到%(max)d之间的整数。") % {"max": MAX_PER_PILOT})
    return value


@transaction.atomic
def assignment_propose(*, by: Any, acceptance: AcceptanceRound, per_pilot: Any) -> dict:
    """Replace the round's pairs with the proposal: ``per_pilot`` experts a pilot (stored on the
    round), balanced loads, no conflict; pairs with submitted scores are kept."""
    require(by, MANAGE, acceptance)
    locked = _locked(acceptance)
    k = clean_per_pilot(per_pilot)
    experts = [e for e in panel_of(acceptance) if e.unit is not None]
    pilots = _pilots(acceptance)
    if len(experts) < k:
        raise ValidationError(
            _("专家组只有 %(m)d 位专家（有所属单位的），每校需要 %(k)d 位：请减少每校专家数。")
            % {"m": len(experts), "k": k}
        )
    # Submitted scores keep their pair, unless the expert is in conflict with the pilot (a
    # score given before the assignment existed): that score stops counting.
    by_pk = {e.pk: e for e in experts}
    units = {u.pk: u for u in pilots}
    keep = [
        (str(u), str(e))
        for u, e in submitted_pairs(acceptance)
        if e in by_pk and u in units and not has_conflict(by_pk[e], units[u])
    ]
    try:
        result = propose_panel(
            [member(u, u.pk) for u in pilots],
            [member(e.unit, e.pk) for e in experts],
            k,
            keep=keep,
        )
    except EngineInputError as exc:
        short = {str(u.pk): u for u in pilots}
        names = "、".join(short[p].name for p in exc.params.get("pilots", []) if p in short)
        raise ValidationError(
            _(
                "%(units)s 可评分的专家不足 %(k)d 位（专家本人所在学校及其下属单位回避）：请添加"
                "其他单位的专家，或减少每校专家数。"
            )
            % {"units": names, "k": k}
        ) from exc
    wanted = {(int(u), int(e)) for u, found in result.items() for e in found}
    old = pairs_of(acceptance)
    if not old:
        _narrow(by, acceptance)
    kept = 0
    for pair in old:
        key = (pair.unit_id, pair.expert_id)
        if key in wanted:
            wanted.discard(key)
            kept += 1
        else:
            _drop(by, pair)
    for unit_id, expert_id in sorted(wanted):
        _add(by, acceptance, units[unit_id], by_pk[expert_id], by_hand=False)
    locked.per_pilot = k
    locked.save(update_fields=["per_pilot"])
    acceptance.per_pilot = k
    counts = {"pairs": kept + len(wanted), "kept": kept, "created": len(wanted), "per_pilot": k}
    audit_record(
        actor=by,
        action="acceptance.assign",
        target=acceptance,
        unit=acceptance.programme.unit,
        summary=_("分配 %(pairs)d 项（每校 %(k)d 位专家）") % {"pairs": counts["pairs"], "k": k},
        data=counts,
    )
    return counts


@transaction.atomic
def assignment_add(*, by: Any, acceptance: AcceptanceRound, unit: Any, expert: Any) -> Assignment:
    """Assign one panel expert to one pilot by hand."""
    require(by, MANAGE, acceptance)
    _locked(acceptance)
    if unit.pk not in {u.pk for u in _pilots(acceptance)}:
        raise ValidationError(_("这所学校不在本轮验收中。"))
    if expert is None or expert.pk not in {e.pk for e in panel_of(acceptance)}:
        raise ValidationError(_("请选择验收专家组中的专家。"))
    if Assignment.objects.filter(  # scoping: ok checked round
        acceptance=acceptance, unit=unit, expert=expert
    ).exists():
        raise ValidationError(
            _("“%(name)s”已分配评%(unit)s。") % {"name": expert.display_name, "unit": unit.name}
        )
    if has_conflict(expert, unit):
        raise ValidationError(
            _("“%(name)s”与%(unit)s有利益冲突（本人在该校或其下属单位、或同属一校），不能评分。")
            % {"name": expert.display_name, "unit": unit.name}
        )
    if not Assignment.objects.filter(acceptance=acceptance).exists():  # scoping: ok checked
        _narrow(by, acceptance)
    pair = _add(by, acceptance, unit, expert, by_hand=True)
    audit_record(
        actor=by,
        action="acceptance.assign",
        target=acceptance,
        unit=acceptance.programme.unit,
        summary=f"+ {unit.name} · {expert.display_name}",
    )
    return pair


@transaction.atomic
def assignment_remove(*, by: Any, acceptance: AcceptanceRound, unit: Any, expert: Any) -> None:
    """Take one pair off by hand; refused once the expert submitted scores of the pilot."""
    require(by, MANAGE, acceptance)
    _locked(acceptance)
    pair = (
        Assignment.objects.filter(  # scoping: ok checked round
            acceptance=acceptance, unit=unit, expert=expert
        )
        .select_related("grant")
        .first()
    )
    if pair is None:
        raise ValidationError(_("这项分配不存在（可能已被调整），请刷新页面。"))
    if (unit.pk, expert.pk) in submitted_pairs(acceptance):
        raise ValidationError(
            _("“%(name)s”已提交了对%(unit)s的评分，这项分配不能再取消。")
            % {"name": expert.display_name, "unit": unit.name},
            code="not_allowed",
        )
    _drop(by, pair)
    if not Assignment.objects.filter(acceptance=acceptance).exists():  # scoping: ok checked
        _widen(by, acceptance)
    audit_record(
        actor=by,
        action="acceptance.assign",
        target=acceptance,
        unit=acceptance.programme.unit,
        summary=f"- {unit.name} · {expert.display_name}",
    )
