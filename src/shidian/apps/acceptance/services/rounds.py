"""Open an acceptance round for a batch: the submission round of kind ``acceptance_report``,
one submission per pilot of the batch, the experts as the round's reviewers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.acceptance.kinds import KIND
from shidian.apps.acceptance.models import AcceptanceRound
from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.programmes.models import Participation
from shidian.apps.submissions.models import Round, Submission
from shidian.apps.submissions.reviewers import reviewers_set
from shidian.engine.acceptance import Rules
from shidian.engine.errors import EngineInputError

PHASE_WORDS = ("验收", "总结")
NAME_MAX = 200
DOC_MAX = 100
MAX_DOCUMENTS = 40
MAX_VETO = 40
MAX_PER_PILOT = 20


def batch_pilots(cycle: Any) -> list[Any]:
    """The batch's pilots (units), by code."""
    rows = Participation.objects.filter(  # scoping: ok the caller manages the programme
        programme_id=cycle.programme_id, batch=cycle, state="pilot"
    ).select_related("unit")
    return [p.unit for p in rows.order_by("unit__code")]


def expert_candidates(programme: Any) -> Any:
    """Active expert accounts of the programme's province, as the selection panel picker
    offers them; anyone else is named by username (``selection.services.review.find_expert``)."""
    from shidian.apps.accounts.models import Role, User
    from shidian.apps.orgs.models import OrgUnit

    unit = programme.unit
    top = unit.ancestors().first() or unit
    return (
        User.objects.filter(  # scoping: ok the panel picker lists experts of the province
            role=Role.EXPERT, is_active=True, unit__in=OrgUnit.objects.subtree(top)
        )
        .select_related("unit")
        .order_by("unit__path", "username")
    )


def selection_panel(programme: Any) -> list[Any]:
    """The experts of the programme's latest selection panel (the form's starting choice)."""
    from shidian.apps.selection.models import PanelMember

    members = PanelMember.objects.filter(  # scoping: ok the caller manages the programme
        selection__programme=programme, user__is_active=True
    ).select_related("user", "selection")
    latest = members.order_by("-selection__created_at").first()
    if latest is None:
        return []
    return [m.user for m in members.filter(selection=latest.selection)]


def acceptance_phase(programme: Any) -> Any:
    for phase in programme.phases.order_by("order", "starts_on"):
        if any(word in phase.name for word in PHASE_WORDS):
            return phase
    return None


def veto_items_of(version: Any) -> list[dict[str, str]]:
    """The standard's veto items (code, text)."""
    return [
        {"code": item.code, "text": item.text}
        for item in version.as_standard().items()
        if item.method == "veto"
    ]


def _rules(pass_threshold, conditional_threshold, spread_limit) -> list[str]:
    try:
        Rules(
            pass_threshold=pass_threshold,
            conditional_threshold=conditional_threshold,
            spread_limit=spread_limit,
        )
    except EngineInputError as exc:
        return [
            {
                "acceptance_pass_threshold": _("通过分数线须是不小于0的数。"),
                "acceptance_conditional_threshold": _(
                    "有条件通过分数线须不小于0且低于通过分数线。"
                ),
                "acceptance_spread_limit": _("专家分差上限须是不小于0的数。"),
            }.get(exc.code or "", _("分数线设置有误。"))
        ]
    return []


def _check(
    *, programme, cycle, version, name, opens_on, deadline, pass_threshold,
    conditional_threshold, spread_limit, veto_items, documents, experts,
) -> list[str]:  # fmt: skip
    problems: list[str] = []
    if not name:
        problems.append(_("请填写名称。"))
    elif len(name) > NAME_MAX:
        problems.append(_("名称不能超过 %(n)d 个字。") % {"n": NAME_MAX})
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
    if opens_on is None or deadline is None:
        problems.append(_("请填写开始日期和截止时间。"))
    else:
        if deadline.date() < opens_on:
            problems.append(_("截止时间不能早于开始日期。"))
        if deadline <= timezone.now():
            problems.append(_("截止时间必须晚于现在。"))
    problems += _rules(pass_threshold, conditional_threshold, spread_limit)
    if version is not None and version.is_published and pass_threshold is not None:
        maximum = version.as_standard().max_total()
        if pass_threshold > maximum:
            problems.append(_("通过分数线不能高于满分%(max)s。") % {"max": f"{maximum:g}"})
    if len(documents) > MAX_DOCUMENTS or any(len(d) > DOC_MAX for d in documents):
        problems.append(_("档案清单最多 %(n)d 项，每项不超过 %(m)d 个字。") % {
            "n": MAX_DOCUMENTS, "m": DOC_MAX})  # fmt: skip
    if len(set(documents)) != len(documents):
        problems.append(_("档案清单中有重复的项目。"))
    if len(veto_items) > MAX_VETO:
        problems.append(_("否决项最多 %(n)d 项。") % {"n": MAX_VETO})
    if not experts:
        problems.append(_("请至少选择一位验收专家。"))
    elif any(getattr(e, "role", "") != "expert" or not e.is_active for e in experts):
        problems.append(_("验收专家须是有效的专家账号。"))
    return problems


def clean_veto_items(version: Any, lines: Sequence[str]) -> list[dict[str, str]]:
    """Veto items from the form's lines: a line that is one of the standard's veto items keeps
    its code, any other line is the round's own (V1, V2...)."""
    known = {v["text"]: v["code"] for v in veto_items_of(version)} if version else {}
    found, seen = [], set()
    own = 0
    for line in lines:
        text = " ".join(str(line).split())[:300]
        if not text or text in seen:
            continue
        seen.add(text)
        code = known.get(text)
        if code is None:
            own += 1
            code = f"V{own}"
        found.append({"code": code, "text": text})
    return found


@transaction.atomic
def acceptance_create(
    *,
    by: Any,
    programme: Any,
    cycle: Any,
    version: Any,
    name: str,
    opens_on: dt.date,
    deadline: dt.datetime,
    pass_threshold: float,
    conditional_threshold: float | None = None,
    spread_limit: float = 10,
    veto_lines: Sequence[str] | None = None,
    documents: Sequence[str] = (),
    experts: Sequence[Any] = (),
    per_pilot: int = 2,
    base_url: str = "",
) -> AcceptanceRound:
    """Open the round: pilots of ``cycle`` file their report and archive checklist by
    ``deadline``; ``experts`` score them against ``version`` (every expert every pilot until the
    office assigns ``per_pilot`` experts a pilot). ``veto_lines`` None takes the standard's veto
    items."""
    require(by, MANAGE, programme)
    name = " ".join((name or "").split())
    documents = [" ".join(str(d).split()) for d in documents if str(d).strip()]
    experts = list(experts)
    if veto_lines is None and version is not None:
        veto_lines = [v["text"] for v in veto_items_of(version)]
    veto_items = clean_veto_items(version, veto_lines or [])
    problems = _check(
        programme=programme, cycle=cycle, version=version, name=name, opens_on=opens_on,
        deadline=deadline, pass_threshold=pass_threshold,
        conditional_threshold=conditional_threshold, spread_limit=spread_limit,
        veto_items=veto_items, documents=documents, experts=experts,
    )  # fmt: skip
    if not isinstance(per_pilot, int) or not 1 <= per_pilot <= MAX_PER_PILOT:
        problems.append(_("每校专家数须是1到%(max)d之间的整数。") % {"max": MAX_PER_PILOT})
    if problems:
        raise ValidationError(problems)
    pilots = batch_pilots(cycle)
    actor = person_or_none(by)
    round_obj = Round.objects.create(
        kind=KIND,
        unit=programme.unit,
        name=name,
        opens_on=opens_on,
        deadline=deadline,
        accept_late=True,
        invite_root=programme.unit,
        created_by=actor,
        programme=programme,
        phase=acceptance_phase(programme),
    )
    acceptance = AcceptanceRound.objects.create(
        programme=programme,
        cycle=cycle,
        version=version,
        round=round_obj,
        name=name,
        pass_threshold=pass_threshold,
        conditional_threshold=conditional_threshold,
        spread_limit=spread_limit,
        veto_items=veto_items,
        documents=documents,
        per_pilot=per_pilot,
        created_by=actor,
    )
    acceptance.panel.set(experts)
    Submission.objects.bulk_create([Submission(round=round_obj, unit=u) for u in pilots])
    reviewers_set(by=by, round_obj=round_obj, users=experts)
    audit_record(
        actor=by,
        action="acceptance.create",
        target=acceptance,
        unit=programme.unit,
        summary=f"{name}: {len(pilots)}",
        data={"experts": len(experts), "documents": len(documents)},
    )
    _tell_open(acceptance, pilots, experts, base_url=base_url)
    return acceptance


def _tell_open(acceptance: AcceptanceRound, pilots, experts, *, base_url: str) -> None:
    from shidian.apps.accounts.models import Role, User
    from shidian.apps.notifications.services import notify

    values = {"name": acceptance.name}
    coordinators = User.objects.filter(  # scoping: ok the batch's own pilots
        unit__in=pilots, is_active=True, role=Role.COORDINATOR
    )
    notify(
        list(coordinators),
        "acceptance.open",
        _("请提交验收总结报告和档案清单：%(name)s") % values,
        link=reverse("core:home"),
        target=acceptance.round,
        base_url=base_url,
    )
    notify(
        experts,
        "acceptance.experts",
        _("请为验收评分：%(name)s") % values,
        link=reverse("acceptance:detail", kwargs={"acceptance_id": acceptance.pk}),
        target=acceptance.round,
        base_url=base_url,
    )
