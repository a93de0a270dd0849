"""Writes of the mid-term evaluation: open a round for a batch, turn gaps into rectification
items in one step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.core.access import MANAGE, GrantRole, require
from shidian.apps.core.audit import register_actions
from shidian.apps.core.services import audit_record, grant_give, person_or_none
from shidian.apps.midterm import selectors
from shidian.apps.midterm.models import GapItem, Level, MidtermRound, Scorer
from shidian.apps.programmes.models import Participation
from shidian.engine.gaps import indicator_scores, severity

# A phase whose name says mid-term is where the round belongs.
MIDTERM_PHASE_WORDS = ("中期", "初评")
TITLE_MAX = 200


def register() -> None:
    register_actions(
        {
            "midterm.create": gettext_lazy("创建中期初评"),
            "midterm.items": gettext_lazy("差距转为整改事项"),
        }
    )


def midterm_phase(programme: Any) -> Any:
    """The programme's mid-term phase (by its name), or None."""
    for phase in programme.phases.order_by("order", "starts_on"):
        if any(word in phase.name for word in MIDTERM_PHASE_WORDS):
            return phase
    return None


def batch_pilots(cycle: Any) -> list[int]:
    """The unit ids of the batch's pilots."""
    return list(
        Participation.objects.filter(  # scoping: ok the caller manages the programme
            programme_id=cycle.programme_id, batch=cycle, state="pilot"
        )
        .order_by("unit__code")
        .values_list("unit_id", flat=True)
    )


def _check(
    *, programme, cycle, version, opens_on, deadline, scorer, share, pass_mark, veto_codes, level
) -> list[str]:
    problems: list[str] = []
    if cycle is None or cycle.programme_id != programme.pk:
        problems.append(_("请选择本项目的批次。"))
    elif not batch_pilots(cycle):
        problems.append(_("这个批次还没有试点学校。"))
    if version is None or not version.is_published:
        problems.append(_("请选择已发布的指标体系版本。"))
    elif (
        programme.standard_versions.exists()
        and not programme.standard_versions.filter(pk=version.pk).exists()
    ):
        problems.append(_("所选指标体系版本不属于本项目。"))
    if scorer not in Scorer.values:
        problems.append(_("请选择评分方。"))
    if level not in Level.values:
        problems.append(_("请选择分析层级。"))
    if share is None or not 0 < share <= 1:
        problems.append(_("指标达标比例须大于0且不超过100%。"))
    if opens_on and deadline and deadline.date() < opens_on:
        problems.append(_("截止时间不能早于开始日期。"))
    if deadline and deadline <= timezone.now():
        problems.append(_("截止时间必须晚于现在。"))
    if version is not None and version.is_published and level in Level.values:
        standard = version.as_standard()
        rows = indicator_scores(standard, {}, level=level)
        maximum = sum(r.max_score for r in rows)
        if pass_mark is not None and not 0 <= pass_mark <= maximum:
            problems.append(_("总分合格线须在0到满分%(max)s之间。") % {"max": f"{maximum:g}"})
        unknown = sorted(set(veto_codes) - {r.code for r in rows})
        if unknown:
            problems.append(_("否决指标不在所选层级中：%(codes)s") % {"codes": "、".join(unknown)})
    return problems


@transaction.atomic
def midterm_create(
    *,
    by: Any,
    programme: Any,
    cycle: Any,
    version: Any,
    name: str,
    opens_on: dt.date,
    deadline: dt.datetime,
    scorer: str = Scorer.EXPERTS,
    share: float = 0.6,
    pass_mark: float | None = None,
    veto_codes: list[str] | tuple[str, ...] = (),
    level: int = Level.INDICATOR,
    reviewers: Any = (),
    base_url: str = "",
) -> MidtermRound:
    """Open a mid-term round for a batch: a self-assessment campaign (in the programme's
    mid-term phase when it has one) inviting that batch's pilots, scored by the experts named
    as reviewers or by the office (the creator gets a review grant on the round)."""
    from shidian.apps.campaigns.models import Sheet
    from shidian.apps.campaigns.notices import OPEN
    from shidian.apps.campaigns.services import campaign_create, notify_coordinators

    require(by, MANAGE, programme)
    veto_codes = [str(c).strip() for c in veto_codes if str(c).strip()]
    problems = _check(
        programme=programme,
        cycle=cycle,
        version=version,
        opens_on=opens_on,
        deadline=deadline,
        scorer=scorer,
        share=share,
        pass_mark=pass_mark,
        veto_codes=veto_codes,
        level=level,
    )
    name = (name or "").strip()
    if not name:
        problems.append(_("请填写名称。"))
    if problems:
        raise ValidationError(problems)
    pilots = batch_pilots(cycle)
    phase = midterm_phase(programme)
    campaign = campaign_create(
        unit=programme.unit,
        user=by,
        name=name,
        version=version,
        opens_on=opens_on,
        deadline=deadline,
        root=programme.unit,
        reviewers=list(reviewers) if scorer == Scorer.EXPERTS else [],
        notify=False,
        phase=phase,
    )
    # campaign_create invites every school under the root; a mid-term round is the batch's.
    Sheet.objects.filter(round=campaign).exclude(unit_id__in=pilots).delete()  # scoping: ok own
    if phase is None:
        campaign.programme = programme
        campaign.save(update_fields=["programme"])
    if scorer == Scorer.OFFICE and getattr(by, "is_authenticated", False):
        grant_give(by=by, user=by, role=GrantRole.EXPERT, target=campaign)
    midterm = MidtermRound.objects.create(
        programme=programme,
        cycle=cycle,
        campaign=campaign,
        name=campaign.name,
        scorer=scorer,
        level=level,
        share=share,
        pass_mark=pass_mark,
        veto_codes=veto_codes,
        created_by=person_or_none(by),
    )
    notify_coordinators(campaign=campaign, unit_ids=pilots, kind=OPEN, base_url=base_url)
    audit_record(
        actor=by,
        action="midterm.create",
        target=midterm,
        unit=programme.unit,
        summary=f"{midterm.name}: {len(pilots)}",
    )
    return midterm


@dataclass
class ItemsResult:
    created: int
    existing: int  # gaps already turned into items by an earlier press
    schools: int


def _title(gap: Any) -> str:
    title = _("中期初评整改：%(code)s %(name)s") % {"code": gap.code, "name": gap.name}
    return title[:TITLE_MAX]


def _description(midterm: MidtermRound, gap: Any) -> str:
    return _(
        "%(round)s：%(name)s得分%(score)s（满分%(max)s），达标线%(threshold)s，差距%(gap)s。"
    ) % {
        "round": midterm.name,
        "name": gap.name,
        "score": f"{gap.score:.2f}",
        "max": f"{gap.max_score:g}",
        "threshold": f"{gap.threshold:.2f}",
        "gap": f"{gap.gap:.2f}",
    }


@transaction.atomic
def gaps_to_items(
    *,
    by: Any,
    midterm: MidtermRound,
    due_on: dt.date,
    unit_ids: list[int] | None = None,
    evidence_required: str = "",
) -> ItemsResult:
    """One rectification item per gap of the chosen schools (default: every school with a
    gap), all in this transaction; a gap already turned into an item is skipped, so a second
    press issues nothing twice."""
    from shidian.apps.inspections.services import rectification

    require(by, MANAGE, midterm)
    # Two presses at once: the second waits here and then finds the first one's rows.
    MidtermRound.objects.select_for_update().filter(pk=midterm.pk).first()  # scoping: ok
    problems: list[str] = []
    if due_on is None or due_on < timezone.localdate():
        problems.append(_("整改期限不能早于今天。"))
    if not selectors.scores_ready(midterm):
        problems.append(_("专家评审结果公布后才能分析差距。"))
    rows = [r for r in selectors.school_gaps(midterm) if r.report is not None]
    with_gaps = {r.unit.pk: r for r in rows if r.report.gaps}
    if unit_ids is None:
        chosen = list(with_gaps)
    else:
        chosen = [int(u) for u in unit_ids]
        unknown = [u for u in chosen if u not in with_gaps]
        if unknown:
            problems.append(_("所选学校中有的没有差距或不属于本轮初评。"))
        if not chosen:
            problems.append(_("请至少选择一所学校。"))
    if problems:
        raise ValidationError(problems)
    evidence = (evidence_required or "").strip() or _("提交整改后的佐证材料。")
    created = existing = 0
    for unit_id in chosen:
        row = with_gaps[unit_id]
        for gap in row.report.gaps:
            if gap.code in row.issued:
                existing += 1
                continue
            link = GapItem.objects.create(
                midterm=midterm,
                unit=row.unit,
                indicator_code=gap.code,
                indicator_name=gap.name[:200],
                score=gap.score,
                threshold=gap.threshold,
                gap=gap.gap,
                severity=severity(gap),
                created_by=person_or_none(by),
            )
            item = rectification.rectification_issue(
                by=by,
                unit=row.unit,
                title=_title(gap),
                due_on=due_on,
                severity=link.severity,
                description=_description(midterm, gap),
                evidence_required=evidence,
                indicator_code=gap.code,
                programme=midterm.programme,
                source=link,
            )
            link.item_id = getattr(item, "pk", None)
            link.save(update_fields=["item_id"])
            created += 1
    audit_record(
        actor=by,
        action="midterm.items",
        target=midterm,
        unit=midterm.programme.unit,
        summary=f"{created} / {len(chosen)}",
    )
    return ItemsResult(created=created, existing=existing, schools=len(chosen))
