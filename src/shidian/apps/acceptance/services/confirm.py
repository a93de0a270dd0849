"""The leading group confirms a round's verdicts (领导小组确认).

One transaction: a ``Verdict`` per pilot (the proposal, the decision and, when they differ,
why), each participation moved through ``programmes.services`` (accepted / conditional /
not_accepted, with the reasons as the move's reason), one rectification item per reason of a
conditional pass (``inspections`` issues them, source = the verdict), the round closed and the
experts' reviews released. A refused move or a bad input leaves everything as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.acceptance import selectors
from shidian.apps.acceptance.models import AcceptanceRound, Outcome, Status, Verdict
from shidian.apps.core.access import APPROVE, MANAGE, can, require
from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.programmes import states
from shidian.apps.programmes.messages import describe
from shidian.apps.programmes.models import Participation
from shidian.engine.acceptance import rules as er
from shidian.textclean import clean_text

STATE_OF = {
    Outcome.PASS: states.State.ACCEPTED,
    Outcome.CONDITIONAL: states.State.CONDITIONAL,
    Outcome.FAIL: states.State.NOT_ACCEPTED,
}
REASON_MAX = 1000
TITLE_MAX = 200


def _decisions(rows, decisions: Mapping[int, tuple[str, str]]) -> tuple[dict, list[str]]:
    problems: list[str] = []
    chosen = {}
    for row in rows:
        outcome, reason = decisions.get(row.unit.pk, ("", ""))
        reason = clean_text(reason or "", multiline=True).strip()
        if outcome not in Outcome.values:
            problems.append(_("%(unit)s：请选择验收结论。") % {"unit": row.unit.name})
            continue
        if row.incomplete and not reason:
            problems.append(
                _(
                    "%(unit)s：专家评分未完成（已提交 %(n)d/%(k)d），请等评分完成，或写明"
                    "不等其余专家评分的理由。"
                )
                % {"unit": row.unit.name, "n": len(row.reviews), "k": len(row.assigned)}
            )
        elif outcome != row.proposed and not reason:
            problems.append(
                _("%(unit)s：结论与系统建议不同，请写明理由。") % {"unit": row.unit.name}
            )
        if len(reason) > REASON_MAX:
            problems.append(_("%(unit)s：理由过长。") % {"unit": row.unit.name})
        chosen[row.unit.pk] = (outcome, reason)
    return chosen, problems


def _move_reason(acceptance, row, outcome: str, override: str) -> str:
    parts = [
        _("“%(name)s”验收结论：%(outcome)s")
        % {"name": acceptance.name, "outcome": Outcome(outcome).label}
    ]
    texts = selectors.reasons_of(acceptance, row.proposal)
    reasons = [
        t
        for r, t in zip(row.proposal.reasons, texts, strict=True)
        if r.code not in (er.NO_SCORES, er.INCOMPLETE)
    ]
    if reasons:
        parts.append("；".join(reasons))
    if override:
        parts.append(_("领导小组意见：%(reason)s") % {"reason": override})
    return "。".join(parts)[:REASON_MAX]


def _items_for(acceptance, row, override: str) -> list[tuple[str, str, str]]:
    """(title, description, indicator code) of the rectification items of a conditional pass."""
    items = []
    names = dict((name, code) for code, name in _doc_codes(acceptance))
    for reason in row.proposal.reasons:
        p = dict(reason.params)
        if reason.code in (er.BELOW_PASS, er.BELOW_CONDITIONAL):
            items.append((
                _("验收整改：总分未达通过分数线"),
                selectors.reason_text(acceptance, reason.code, p),
                "",
            ))  # fmt: skip
        elif reason.code == er.ARCHIVE_MISSING:
            note = row.notes.get(names.get(str(p["document"]), ""), "")
            text = _("验收档案“%(name)s”缺失。") % {"name": p["document"]}
            if note:
                text += _("学校说明：%(note)s") % {"note": note}
            items.append((_("验收整改：补齐档案“%(name)s”") % {"name": p["document"]}, text, ""))
        elif reason.code == er.REPORT_MISSING:
            items.append((_("验收整改：提交总结报告"), _("验收时未提交总结报告。"), ""))
        elif reason.code == er.VETO:
            text = selectors.veto_text(acceptance, str(p["item"]))
            items.append((_("验收整改：否决项“%(text)s”") % {"text": text}, text, str(p["item"])))
    if not items:
        items.append((_("验收整改"), override or _("按验收意见整改。"), ""))
    if override:
        items = [(t, f"{d}\n{_('领导小组意见：%(reason)s') % {'reason': override}}", c)
                 for t, d, c in items]  # fmt: skip
    return [(t[:TITLE_MAX], d, c) for t, d, c in items]


def _doc_codes(acceptance):
    from shidian.apps.acceptance.kinds import documents_of

    return documents_of(acceptance.round)


@transaction.atomic
def acceptance_confirm(
    *,
    by: Any,
    acceptance: AcceptanceRound,
    decisions: Mapping[int, tuple[str, str]],
    due_on: dt.date | None,
    base_url: str = "",
) -> list[Verdict]:
    """Confirm every pilot's verdict: ``decisions`` maps unit id -> (outcome, reason); the
    reason is required where the outcome is not the system's proposal. ``due_on`` is the
    rectification deadline of the conditional passes."""
    from shidian.apps.inspections.services.rectification import rectification_issue
    from shidian.apps.programmes.services import participation_move

    require(by, APPROVE, acceptance)
    locked = AcceptanceRound.objects.select_for_update().get(pk=acceptance.pk)  # scoping: ok
    if locked.status != Status.OPEN:
        raise ValidationError(_("这一轮验收的结论已经确认。"), code="closed")
    rows = selectors.pilot_rows(acceptance)
    chosen, problems = _decisions(rows, decisions)
    conditional = [u for u, (o, _r) in chosen.items() if o == Outcome.CONDITIONAL]
    if conditional and (due_on is None or due_on < timezone.localdate()):
        problems.append(_("有条件通过的学校须有整改期限，且不能早于今天。"))
    parts = {
        p.unit_id: p
        for p in Participation.objects.filter(  # scoping: ok the round's own programme
            programme=acceptance.programme, unit_id__in=[r.unit.pk for r in rows]
        ).select_related("batch", "unit")
    }
    for row in rows:
        part = parts.get(row.unit.pk)
        if row.unit.pk not in chosen:
            continue
        if part is None:
            problems.append(_("%(unit)s：不在本项目的参与范围内。") % {"unit": row.unit.name})
            continue
        here = states.Position(states.State(part.state), part.batch.number if part.batch else None)
        try:
            states.move(here, STATE_OF[chosen[row.unit.pk][0]], reason="-")
        except states.TransitionError as exc:
            problems.append(
                _("%(unit)s：%(problem)s") % {"unit": row.unit.name, "problem": describe(exc)}
            )
    if problems:
        raise ValidationError(problems)
    programme = acceptance.programme
    # A leading-group member holding a grant approves without managing the programme: the
    # moves and items go through as the system (approval was checked) and are recorded as theirs.
    checked = by if can(by, MANAGE, programme) else None
    actor = person_or_none(by)
    verdicts = []
    for row in rows:
        outcome, override = chosen[row.unit.pk]
        verdict = Verdict.objects.create(
            acceptance=acceptance,
            unit=row.unit,
            score=row.proposal.mean,
            spread=row.proposal.spread,
            experts=row.proposal.experts,
            proposed=row.proposed,
            reasons=selectors.stored_reasons(row.proposal),
            outcome=outcome,
            override_reason=override,
            due_on=due_on if outcome == Outcome.CONDITIONAL else None,
            confirmed_by=actor,
        )
        participation_move(
            by=checked,
            actor=by,
            participation=parts[row.unit.pk],
            to=STATE_OF[outcome].value,
            reason=_move_reason(acceptance, row, outcome, override),
        )
        if outcome == Outcome.CONDITIONAL:
            for title, description, code in _items_for(acceptance, row, override):
                rectification_issue(
                    by=checked,
                    unit=row.unit,
                    title=title,
                    due_on=due_on,
                    description=description,
                    evidence_required=_("提交整改后的佐证材料。"),
                    indicator_code=code,
                    programme=programme,
                    source=verdict,
                )
        verdicts.append(verdict)
    locked.status = Status.CONFIRMED
    locked.confirmed_by = actor
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    round_obj = acceptance.round
    round_obj.status = "closed"
    round_obj.reviews_released_at = timezone.now()
    round_obj.save(update_fields=["status", "reviews_released_at"])
    acceptance.status = locked.status
    counts = {o: sum(1 for v in verdicts if v.outcome == o) for o in Outcome.values}
    audit_record(
        actor=by,
        action="acceptance.confirm",
        target=acceptance,
        unit=programme.unit,
        summary=acceptance.name,
        data=counts,
    )
    _tell(acceptance, verdicts, base_url=base_url)
    return verdicts


def _tell(acceptance: AcceptanceRound, verdicts: list[Verdict], *, base_url: str) -> None:
    from shidian.apps.accounts.models import Role, User
    from shidian.apps.notifications.services import Note, deliver
    from shidian.apps.submissions.models import Submission

    subs = dict(
        Submission.objects.filter(round=acceptance.round_id).values_list(  # scoping: ok own
            "unit_id", "pk"
        )
    )
    users = User.objects.filter(  # scoping: ok the round's own pilots
        unit_id__in=[v.unit_id for v in verdicts], is_active=True, role=Role.COORDINATOR
    )
    outcome = {v.unit_id: v for v in verdicts}
    notes = [
        Note(
            user=u,
            subject=_("验收结论：%(outcome)s（%(name)s）")
            % {"outcome": outcome[u.unit_id].get_outcome_display(), "name": acceptance.name},
            link=reverse("acceptance:report", kwargs={"report_id": subs[u.unit_id]}),
        )
        for u in users
        if u.unit_id in subs
    ]
    deliver(notes, kind="acceptance.verdict", target=acceptance.round, base_url=base_url)
