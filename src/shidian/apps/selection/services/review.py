"""Expert review (专家复评): the panel, the assignment of shortlisted units to experts, hand
moves, progress and reminders.

* The panel: expert-role accounts (their organisation is their account's unit). The office picks
  from the active experts of the province the programme belongs to, or names any active expert
  account by its username (experts often come from other provinces' universities).
* The assignment: r experts per shortlisted unit, balanced loads (floor/ceil of n*r/m unless a
  member has their own min/max), no expert on a unit of their own organisation or its parents
  (path prefix either way), at most one expert per organisation on a unit (the engine's rule).
  ``assignment_problems`` checks the counts first and names the units, the experts and what to
  change, so the engine's English never reaches the page; the engine (``engine.assignment``)
  then solves it as a Run (jobs/assignment.py) and ``assignment_apply`` replaces the pairs.
* Each pair holds an expert grant on the round narrowed to the school: the expert sees and
  reviews that school's sheet only (campaigns:review), blind to the others until release.
* Once an expert has saved a review of a unit in the round, their pair is kept: re-assigning is
  refused and a hand move of that pair is refused; a member with saved reviews cannot be removed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from shidian.apps.core.access import MANAGE, GrantRole, require
from shidian.apps.core.services import audit_record, grant_give, grant_revoke
from shidian.apps.selection.models import (
    ExpertAssignment,
    PanelMember,
    Selection,
    Shortlisted,
)
from shidian.apps.selection.services.selections import ensure_open, locked, touch

DEFAULT_PER_UNIT = 3
MAX_PER_UNIT = 20
MAX_LOAD = 10000
MAX_LISTED = 5
REMIND_KIND = "selection.review_remind"
EXPERTISE_MAX = 200


# --- reads ------------------------------------------------------------------------------------


def org_label(unit: Any) -> str:
    """A unit's name with the names above it: 测试省 / 测试市 / 乙县."""
    if unit is None:
        return ""
    names = [u.name for u in unit.ancestors()] + [unit.name]
    return " / ".join(names)


def conflicts(expert_unit: Any, school: Any) -> bool:
    """The expert works at the school, above it, or under it (one path is a prefix of the
    other): the engine's conflict-of-interest rule on Shidian's materialised paths."""
    if expert_unit is None:
        return True
    return school.path.startswith(expert_unit.path) or expert_unit.path.startswith(school.path)


def panel_of(selection: Selection) -> list[PanelMember]:
    return list(
        PanelMember.objects.filter(selection=selection)  # scoping: ok caller checked selection
        .select_related("user", "user__unit")
        .order_by("user__username")
    )


def shortlisted_of(selection: Selection) -> list[Shortlisted]:
    return list(
        Shortlisted.objects.filter(selection=selection)  # scoping: ok caller checked selection
        .select_related("unit")
        .order_by("rank")
    )


def panel_candidates(selection: Selection) -> Any:
    """Active expert accounts of the programme's province (the top of its unit's path), not on
    the panel yet. Anyone else is added by username."""
    from shidian.apps.accounts.models import Role, User
    from shidian.apps.orgs.models import OrgUnit

    unit = selection.programme.unit
    top = unit.ancestors().first() or unit
    members = PanelMember.objects.filter(selection=selection).values("user_id")  # scoping: ok
    units = OrgUnit.objects.subtree(top)
    return (
        User.objects.filter(  # scoping: ok the panel picker lists experts of the province
            role=Role.EXPERT, is_active=True, unit__in=units
        )
        .exclude(pk__in=members)
        .select_related("unit")
        .order_by("unit__path", "username")
    )


def _submissions(selection: Selection, units: list[Any]) -> dict[int, int]:
    """unit id -> the unit's Submission id in the selection's round."""
    from shidian.apps.submissions.models import Submission

    rows = Submission.objects.filter(  # scoping: ok caller checked selection
        round_id=selection.round_id, unit_id__in=[u.pk for u in units]
    ).values_list("unit_id", "pk")
    return dict(rows)


def _saved_reviews(selection: Selection, pairs: list[ExpertAssignment]) -> dict[tuple, Any]:
    """(unit id, expert id) -> when that expert last saved the review of that unit (no scores:
    the office sees who has reviewed, never what, before release)."""
    from shidian.apps.reviews.models import Review

    if not pairs:
        return {}
    subs = _submissions(selection, [p.unit for p in pairs])
    unit_of = {sub: unit for unit, sub in subs.items()}
    rows = Review.objects.filter(  # scoping: ok counts only, no scores leave this function
        submission_id__in=list(subs.values()),
        reviewer_id__in={p.expert_id for p in pairs},
    ).values_list("submission_id", "reviewer_id", "updated_at")
    wanted = {(p.unit_id, p.expert_id) for p in pairs}
    saved = {}
    for sub, reviewer, at in rows:
        key = (unit_of[sub], reviewer)
        if key in wanted:
            saved[key] = at
    return saved


@dataclass
class ExpertProgress:
    member: PanelMember
    org: str
    assigned: int = 0
    reviewed: int = 0
    last_activity: Any = None
    last_reminded: Any = None
    units: list = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return self.assigned - self.reviewed


@dataclass
class UnitProgress:
    shortlisted: Shortlisted
    pairs: list = field(default_factory=list)  # (assignment, reviewed: bool)

    @property
    def scored(self) -> int:
        return sum(1 for _pair, done in self.pairs if done)


def progress_of(selection: Selection) -> dict[str, Any]:
    """Per expert: assigned, reviewed, remaining, last activity, last reminder; per unit: the
    pairs and how many of them have scored (not the scores)."""
    from shidian.apps.core.models import AuditEvent

    members = panel_of(selection)
    pairs = list(
        ExpertAssignment.objects.filter(selection=selection)  # scoping: ok caller checked
        .select_related("unit", "expert", "expert__unit")
        .order_by("unit__code", "expert__username")
    )
    saved = _saved_reviews(selection, pairs)
    reminded: dict[int, Any] = {}
    for event in AuditEvent.objects.filter(  # scoping: ok the selection's own events
        action="selection.review_remind",
        target_type=Selection._meta.label,
        target_id=str(selection.pk),
    ).order_by("created_at"):
        for expert_id in event.data.get("experts", []):
            reminded[expert_id] = event.created_at
    experts = {
        m.user_id: ExpertProgress(m, org_label(m.user.unit), last_reminded=reminded.get(m.user_id))
        for m in members
    }
    units = {s.unit_id: UnitProgress(s) for s in shortlisted_of(selection)}
    for pair in pairs:
        at = saved.get((pair.unit_id, pair.expert_id))
        row = experts.get(pair.expert_id)
        if row is not None:
            row.assigned += 1
            row.units.append(pair.unit)
            if at is not None:
                row.reviewed += 1
                row.last_activity = max(filter(None, [row.last_activity, at]))
        if pair.unit_id in units:
            units[pair.unit_id].pairs.append((pair, at is not None))
    return {
        "experts": list(experts.values()),
        "units": list(units.values()),
        "pairs": pairs,
        "total": len(pairs),
        "reviewed": sum(1 for p in pairs if (p.unit_id, p.expert_id) in saved),
    }


# --- the panel ------------------------------------------------------------------------------


def _clean_loads(min_load: Any, max_load: Any) -> tuple[int | None, int | None]:
    values = []
    for raw in (min_load, max_load):
        if raw in (None, ""):
            values.append(None)
            continue
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise ValidationError(_("评审数须为 0 或正整数。")) from None
        if number < 0 or number > MAX_LOAD:
            raise ValidationError(_("评审数须在 0 到 %(n)d 之间。") % {"n": MAX_LOAD})
        values.append(number)
    low, high = values
    if low is not None and high is not None and low > high:
        raise ValidationError(
            _("最少评审数（%(low)d）大于最多评审数（%(high)d）：请调小最少数或调大最多数。")
            % {"low": low, "high": high}
        )
    return low, high


def find_expert(username: str) -> Any:
    """The active expert account named ``username``, or a ValidationError saying why not."""
    from shidian.apps.accounts.models import Role, User

    username = (username or "").strip()
    if not username:
        raise ValidationError(_("请选择专家或填写专家的用户名。"))
    user = User.objects.filter(username=username).first()  # scoping: ok exact username
    if user is None or not user.is_active:
        raise ValidationError(_("没有名为“%(name)s”的启用账号。") % {"name": username})
    if user.role != Role.EXPERT:
        raise ValidationError(
            _("账号“%(name)s”的角色不是专家：请先在账号管理中把角色设为专家。") % {"name": username}
        )
    return user


@transaction.atomic
def panel_add(
    *,
    by: Any,
    selection: Selection,
    user: Any,
    expertise: str = "",
    min_load: Any = None,
    max_load: Any = None,
) -> PanelMember:
    from shidian.apps.accounts.models import Role

    require(by, MANAGE, selection)
    selection = locked(selection)
    ensure_open(selection)
    if user is None or not user.is_active or user.role != Role.EXPERT:
        raise ValidationError(_("只能把启用的专家账号加入专家组。"))
    if user.unit_id is None:
        raise ValidationError(
            _("专家“%(name)s”的账号没有所属单位，无法判断利益冲突：请先为账号设置单位。")
            % {"name": user.display_name}
        )
    if PanelMember.objects.filter(selection=selection, user=user).exists():  # scoping: ok
        raise ValidationError(_("“%(name)s”已在专家组中。") % {"name": user.display_name})
    expertise = (expertise or "").strip()
    if len(expertise) > EXPERTISE_MAX:
        raise ValidationError(_("专业领域不能超过 %(n)d 个字符。") % {"n": EXPERTISE_MAX})
    low, high = _clean_loads(min_load, max_load)
    member = PanelMember.objects.create(
        selection=selection, user=user, expertise=expertise, min_load=low, max_load=high
    )
    audit_record(
        actor=by,
        action="selection.panel_add",
        target=selection,
        unit=selection.programme.unit,
        summary=f"{user.username} · {expertise}"[:300],
    )
    return member


@transaction.atomic
def panel_update(
    *, by: Any, selection: Selection, member: PanelMember, expertise: str, min_load, max_load
) -> PanelMember:
    require(by, MANAGE, selection)
    selection = locked(selection)
    ensure_open(selection)
    expertise = (expertise or "").strip()
    if len(expertise) > EXPERTISE_MAX:
        raise ValidationError(_("专业领域不能超过 %(n)d 个字符。") % {"n": EXPERTISE_MAX})
    member.min_load, member.max_load = _clean_loads(min_load, max_load)
    member.expertise = expertise
    member.save(update_fields=["expertise", "min_load", "max_load"])
    audit_record(
        actor=by,
        action="selection.panel_update",
        target=selection,
        unit=selection.programme.unit,
        summary=member.user.username,
    )
    return member


def _revoke(by: Any, pair: ExpertAssignment) -> None:
    """Revoke the pair's grant unless another selection's pair shares it (grant_give hands out
    the same active grant for the same expert, round and school)."""
    if pair.grant_id is None:
        return
    shared = (
        ExpertAssignment.objects.filter(grant_id=pair.grant_id)  # scoping: ok same grant
        .exclude(pk=pair.pk)
        .exists()
    )
    if not shared:
        grant_revoke(by=by, grant=pair.grant)


def assignments_drop_units(*, by: Any, selection: Selection, unit_ids: set[int]) -> int:
    """A new shortlist left these schools out: their pairs go and the experts' grants are
    revoked, so nobody keeps reading a sheet they no longer review. A pair whose expert saved a
    review stays (the work is kept; the review page lists it as no longer shortlisted).
    Call inside the adopting service's transaction. Returns the number of pairs removed."""
    pairs = list(
        ExpertAssignment.objects.filter(  # scoping: ok the caller holds the selection's lock
            selection=selection, unit_id__in=unit_ids
        ).select_related("unit", "grant")
    )
    saved = _saved_reviews(selection, pairs)
    dropped = [p for p in pairs if (p.unit_id, p.expert_id) not in saved]
    for pair in dropped:
        _revoke(by, pair)
    ExpertAssignment.objects.filter(pk__in=[p.pk for p in dropped]).delete()  # scoping: ok
    return len(dropped)


def _give(by: Any, selection: Selection, expert: Any, unit: Any) -> Any:
    return grant_give(
        by=by,
        user=expert,
        role=GrantRole.EXPERT,
        target=selection.round,
        unit=unit,
        note=_("遴选“%(name)s”专家复评") % {"name": selection.name},
    )


@transaction.atomic
def panel_remove(*, by: Any, selection: Selection, member: PanelMember) -> None:
    """Take a member off the panel with their assignments (grants revoked). Refused once they
    saved a review of one of their units: their scores feed the reconciliation."""
    require(by, MANAGE, selection)
    selection = locked(selection)
    ensure_open(selection)
    pairs = list(
        ExpertAssignment.objects.filter(  # scoping: ok checked selection
            selection=selection, expert_id=member.user_id
        ).select_related("unit", "grant")
    )
    saved = _saved_reviews(selection, pairs)
    if saved:
        raise ValidationError(
            ngettext(
                "“%(name)s”已评审 %(n)d 所学校，不能移出专家组（其评分将参与汇总）。",
                "“%(name)s”已评审 %(n)d 所学校，不能移出专家组（其评分将参与汇总）。",
                len(saved),
            )
            % {"name": member.user.display_name, "n": len(saved)}
        )
    for pair in pairs:
        _revoke(by, pair)
        pair.delete()
    username = member.user.username
    member.delete()
    audit_record(
        actor=by,
        action="selection.panel_remove",
        target=selection,
        unit=selection.programme.unit,
        summary=username,
        data={"assignments_removed": len(pairs)},
    )


# --- the assignment ----------------------------------------------------------------------------


def _clean_per_unit(per_unit: Any) -> int:
    try:
        r = int(per_unit)
    except (TypeError, ValueError):
        raise ValidationError(_("每校专家数须为正整数。")) from None
    if r < 1 or r > MAX_PER_UNIT:
        raise ValidationError(_("每校专家数须在 1 到 %(n)d 之间。") % {"n": MAX_PER_UNIT})
    return r


def _loads(members: list[PanelMember], total: int) -> list[tuple[int, int]]:
    """Each member's (min, max) as the engine will use them: balanced floor/ceil of n*r/m
    unless the member has their own."""
    m = len(members)
    low, high = total // m, -(-total // m)
    out = []
    for member in members:
        lo = low if member.min_load is None else member.min_load
        hi = high if member.max_load is None else member.max_load
        if member.min_load is not None and member.max_load is None:
            hi = max(hi, lo)
        if member.max_load is not None and member.min_load is None:
            lo = min(lo, hi)
        out.append((lo, hi))
    return out


def _names(items: list[str]) -> str:
    shown = "、".join(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        shown += _("等 %(n)d 个") % {"n": len(items)}
    return shown


def assignment_problems(selection: Selection, per_unit: int) -> list[str]:
    """Everything that keeps the assignment from existing, each sentence naming the units or
    experts and what to change (empty when the engine can be asked)."""
    if not selection.shortlist_id:
        return [_("还没有采用入围名单：请先完成第 2 步“入围名单”，再分配专家。")]
    units = [s.unit for s in shortlisted_of(selection)]
    members = panel_of(selection)
    m, n, r = len(members), len(units), per_unit
    if not units:
        return [_("入围名单是空的：请先在第 2 步采用一份有学校的入围方案。")]
    if m < r:
        return [
            ngettext(
                "专家组只有 %(m)d 位专家，每所学校需要 %(r)d 位：请再添加 %(k)d 位专家，"
                "或把每校专家数改为 %(m)d 或更少。",
                "专家组只有 %(m)d 位专家，每所学校需要 %(r)d 位：请再添加 %(k)d 位专家，"
                "或把每校专家数改为 %(m)d 或更少。",
                m,
            )
            % {"m": m, "r": r, "k": r - m}
        ]
    problems: list[str] = []
    eligible = {
        mem.user_id: [u for u in units if not conflicts(mem.user.unit, u)] for mem in members
    }
    # An expert with a conflict on every shortlisted unit has nothing to review.
    for mem in members:
        if not eligible[mem.user_id]:
            problems.append(
                _(
                    "专家“%(name)s”（%(org)s）与全部 %(n)d 所入围学校都有利益冲突（学校属于其单位"
                    "或其上级单位）：请把这位专家移出专家组，或换一位其他单位的专家。"
                )
                % {"name": mem.user.display_name, "org": org_label(mem.user.unit), "n": n}
            )
    # A unit needs r eligible experts from r different organisations.
    short = []
    for unit in units:
        orgs = {mem.user.unit_id for mem in members if unit in eligible[mem.user_id]}
        if len(orgs) < r:
            short.append((unit, len(orgs)))
    if short:
        worst = min(k for _u, k in short)
        problems.append(
            _(
                "%(units)s 只有 %(k)d 个单位的专家可以评审（同一单位的专家只计一位，本单位及上级"
                "单位的专家回避），每校需要 %(r)d 位：请添加其他单位的专家，或把每校专家数改为"
                " %(k)d 或更少。"
            )
            % {
                "units": _names([f"{u.name}（{u.code}）" for u, _k in short]),
                "k": worst,
                "r": r,
            }
        )
    total = n * r
    loads = _loads(members, total)
    high_sum = sum(hi for _lo, hi in loads)
    low_sum = sum(lo for lo, _hi in loads)
    if high_sum < total:
        problems.append(
            _(
                "%(n)d 所学校 × 每校 %(r)d 位专家共需 %(total)d 次评审，但专家的最多评审数合计"
                "只有 %(sum)d：请调大专家的最多评审数，或添加专家。"
            )
            % {"n": n, "r": r, "total": total, "sum": high_sum}
        )
    if low_sum > total:
        problems.append(
            _("专家的最少评审数合计 %(sum)d，超过所需的 %(total)d 次评审：请调小专家的最少评审数。")
            % {"sum": low_sum, "total": total}
        )
    for mem, (lo, _hi) in zip(members, loads, strict=True):
        k = len(eligible[mem.user_id])
        if 0 < k < lo:
            problems.append(
                _(
                    "专家“%(name)s”只能评审 %(k)d 所学校（其余回避），却至少要分到 %(lo)d 所："
                    "请把这位专家的最少评审数设为 %(k)d 或更少。"
                )
                % {"name": mem.user.display_name, "k": k, "lo": lo}
            )
    return problems


def engine_frames(selection: Selection, *, per_unit: int | None = None) -> tuple[Any, Any]:
    """The engine's input tables, exactly what ``shidian assign`` reads: units (id, name, path)
    and experts (id, name, org, org_path, min_load, max_load, expertise). The loads are the
    members' own (blank = balanced) or, with ``per_unit``, every member's resolved (min, max)
    as ``assignment_problems`` checked them."""
    import pandas as pd

    members = panel_of(selection)
    shortlist = shortlisted_of(selection)
    if per_unit is not None and members:
        loads = _loads(members, len(shortlist) * per_unit)
    else:
        loads = [(m.min_load, m.max_load) for m in members]

    units = pd.DataFrame(
        [{"id": s.unit.code, "name": s.unit.name, "path": s.unit.path} for s in shortlist],
        columns=["id", "name", "path"],
    )
    experts = pd.DataFrame(
        [
            {
                "id": mem.user.username,
                "name": mem.user.display_name,
                "org": mem.user.unit.code,
                "org_path": mem.user.unit.path,
                "min_load": low,
                "max_load": high,
                "expertise": mem.expertise,
            }
            for mem, (low, high) in zip(members, loads, strict=True)
        ],
        columns=["id", "name", "org", "org_path", "min_load", "max_load", "expertise"],
    )
    return units, experts


class AssignmentFailed(Exception):
    """The engine found no assignment; ``message`` is for the page, ``detail`` the engine's."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message, self.detail = message, detail


def compute_assignment(selection: Selection, per_unit: int, *, seed: int | None = None) -> Any:
    """Check, then solve with the engine; returns the engine's AssignmentResult. Raises
    ValidationError (our checks, named) or AssignmentFailed (the engine's own infeasibility)."""
    from shidian.engine.assignment import assign_experts, build_problem
    from shidian.engine.errors import EngineInputError, InfeasibleError

    r = _clean_per_unit(per_unit)
    problems = assignment_problems(selection, r)
    if problems:
        raise ValidationError(problems)
    units, experts = engine_frames(selection, per_unit=r)
    try:
        problem = build_problem(units, experts, per_unit=r)
        return assign_experts(problem, seed=seed)
    except InfeasibleError as exc:
        detail = "; ".join([exc.message, *exc.relaxations])
        raise AssignmentFailed(
            _(
                "找不到满足全部条件的分配：可评审某些学校的专家已到最多评审数，或同一单位的专家"
                "过多。请调大专家的最多评审数、添加其他单位的专家，或减少每校专家数。"
            ),
            detail,
        ) from exc
    except EngineInputError as exc:
        raise AssignmentFailed(
            _("专家或学校的数据无法用于分配，请检查后重试。"), exc.message
        ) from exc


def _reviewed_pairs(selection: Selection) -> dict[tuple, Any]:
    pairs = list(
        ExpertAssignment.objects.filter(selection=selection).select_related("unit")  # scoping: ok
    )
    return _saved_reviews(selection, pairs)


@transaction.atomic
def assignment_apply(*, by: Any, selection: Selection, result: Any) -> dict[str, int]:
    """Replace the selection's pairs with the engine's: pairs that stay keep their row and
    grant; removed pairs lose their grant; new pairs get one. Refused once a review was saved."""
    from shidian.apps.accounts.models import User

    require(by, MANAGE, selection)
    selection = locked(selection)
    ensure_open(selection)
    if _reviewed_pairs(selection):
        raise ValidationError(
            _("已有专家保存了评审意见，不能再重新分配；如需调整，请逐项手工调整未评审的分配。")
        )
    shortlisted = {s.unit.code: s.unit for s in shortlisted_of(selection)}
    members = {m.user.username: m.user for m in panel_of(selection)}
    wanted = set()
    for unit_code, username in zip(result.pairs["unit"], result.pairs["expert"], strict=True):
        if unit_code not in shortlisted or username not in members:
            raise ValidationError(_("入围名单或专家组在分配期间有变化，请重新分配。"))
        wanted.add((shortlisted[unit_code].pk, members[username].pk))
    old = list(
        ExpertAssignment.objects.filter(selection=selection).select_related("grant")  # scoping: ok
    )
    kept = 0
    for pair in old:
        key = (pair.unit_id, pair.expert_id)
        if key in wanted:
            wanted.discard(key)
            kept += 1
            if pair.by_hand:
                pair.by_hand = False
                pair.save(update_fields=["by_hand"])
            continue
        _revoke(by, pair)
        pair.delete()
    units = {u.pk: u for u in shortlisted.values()}
    users = {u.pk: u for u in User.objects.filter(pk__in={e for _u, e in wanted})}  # scoping: ok
    created = 0
    for unit_id, expert_id in sorted(wanted):
        unit, expert = units[unit_id], users[expert_id]
        ExpertAssignment.objects.create(
            selection=selection,
            unit=unit,
            expert=expert,
            grant=_give(by, selection, expert, unit),
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        created += 1
    counts = {
        "pairs": kept + created,
        "kept": kept,
        "created": created,
        "removed": len(old) - kept,
        "per_unit": int(result.per_unit),
        "load_min": int(result.load_min),
        "load_max": int(result.load_max),
    }
    audit_record(
        actor=by,
        action="selection.assign",
        target=selection,
        unit=selection.programme.unit,
        summary=_("分配 %(pairs)d 项（每校 %(r)d 位专家）")
        % {"pairs": counts["pairs"], "r": counts["per_unit"]},
        data=counts,
    )
    return counts


def assign(*, by: Any, selection: Selection, per_unit: Any, seed: int | None = None) -> dict:
    """Compute and apply in one go (the Run kind's body; tests call it directly)."""
    require(by, MANAGE, selection)
    ensure_open(selection)
    result = compute_assignment(selection, per_unit, seed=seed)
    return assignment_apply(by=by, selection=selection, result=result)


@transaction.atomic
def assignment_start(*, by: Any, selection: Selection, per_unit: Any) -> Any:
    """Check at once (the page names what to change, nothing is stored), then queue the Run."""
    from shidian.apps.runs.services import run_start
    from shidian.apps.selection.jobs.assignment import KIND

    require(by, MANAGE, selection)
    selection = locked(selection)
    ensure_open(selection)
    r = _clean_per_unit(per_unit)
    problems = assignment_problems(selection, r)
    if problems:
        raise ValidationError(problems)
    if _reviewed_pairs(selection):
        raise ValidationError(
            _("已有专家保存了评审意见，不能再重新分配；如需调整，请逐项手工调整未评审的分配。")
        )
    return run_start(
        KIND,
        by=by,
        unit=selection.programme.unit,
        params={"selection_id": selection.pk, "per_unit": r},
        subject=selection,
    )


# --- hand moves ---------------------------------------------------------------------------------


@transaction.atomic
def assignment_move(
    *, by: Any, selection: Selection, unit_id: int, from_expert_id: int, to_expert_id: int
) -> ExpertAssignment:
    """Move unit ``unit_id`` from one panel expert to another, by hand."""
    require(by, MANAGE, selection)
    selection = locked(selection)
    ensure_open(selection)
    pair = (
        ExpertAssignment.objects.filter(  # scoping: ok checked selection
            selection=selection, unit_id=unit_id, expert_id=from_expert_id
        )
        .select_related("unit", "expert", "grant")
        .first()
    )
    if pair is None:
        raise ValidationError(_("这项分配不存在（可能已被调整），请刷新页面。"))
    members = {m.user_id: m for m in panel_of(selection)}
    target = members.get(to_expert_id)
    if target is None:
        raise ValidationError(_("请选择专家组中的专家。"))
    expert = target.user
    unit = pair.unit
    if expert.pk == pair.expert_id:
        raise ValidationError(_("调入和调出的是同一位专家。"))
    on_unit = list(
        ExpertAssignment.objects.filter(selection=selection, unit=unit)  # scoping: ok checked
        .exclude(pk=pair.pk)
        .select_related("expert", "expert__unit")
    )
    if any(p.expert_id == expert.pk for p in on_unit):
        raise ValidationError(
            _("“%(name)s”已经在评审%(unit)s，不能重复分配。")
            % {"name": expert.display_name, "unit": unit.name}
        )
    if conflicts(expert.unit, unit):
        raise ValidationError(
            _("“%(name)s”（%(org)s）与%(unit)s有利益冲突（学校属于其单位或其上级单位），不能评审。")
            % {"name": expert.display_name, "org": org_label(expert.unit), "unit": unit.name}
        )
    same_org = [p for p in on_unit if p.expert.unit_id == expert.unit_id]
    if same_org:
        raise ValidationError(
            _("%(unit)s已有同单位的专家“%(other)s”，每所学校每个单位只派一位专家。")
            % {"unit": unit.name, "other": same_org[0].expert.display_name}
        )
    if _saved_reviews(selection, [pair]):
        raise ValidationError(
            _("“%(name)s”已保存了对%(unit)s的评审意见，这项分配不能再调整。")
            % {"name": pair.expert.display_name, "unit": unit.name}
        )
    if target.max_load is not None:
        load = ExpertAssignment.objects.filter(  # scoping: ok checked selection
            selection=selection, expert=expert
        ).count()
        if load + 1 > target.max_load:
            raise ValidationError(
                _("“%(name)s”的最多评审数是 %(max)d，已分配 %(load)d 所：请先调大其最多评审数。")
                % {"name": expert.display_name, "max": target.max_load, "load": load}
            )
    old_expert = pair.expert
    _revoke(by, pair)
    pair.expert = expert
    pair.grant = _give(by, selection, expert, unit)
    pair.by_hand = True
    pair.save(update_fields=["expert", "grant", "by_hand"])
    audit_record(
        actor=by,
        action="selection.assignment_move",
        target=selection,
        unit=selection.programme.unit,
        summary=f"{unit.code}: {old_expert.username} -> {expert.username}",
        data={"unit": unit.code, "from": old_expert.username, "to": expert.username},
    )
    touch(selection)
    return pair


# --- reminders ----------------------------------------------------------------------------------


@transaction.atomic
def review_remind(*, by: Any, selection: Selection, expert_ids: list[int] | None = None) -> int:
    """Remind the experts (all, or ``expert_ids``) who still have units to review; in-app and
    by e-mail, recorded in the audit log. Returns how many were reminded."""
    from shidian.apps.notifications.services import notify

    require(by, MANAGE, selection)
    ensure_open(selection)
    rows = [r for r in progress_of(selection)["experts"] if r.remaining > 0]
    if expert_ids is not None:
        chosen = set(expert_ids)
        rows = [r for r in rows if r.member.user_id in chosen]
    if not rows:
        raise ValidationError(_("没有尚未完成评审的专家，不需要提醒。"))
    link = f"{reverse('campaigns:my_reviews')}?campaign={selection.round_id}"
    sent = 0
    for row in rows:
        sent += notify(
            [row.member.user],
            REMIND_KIND,
            ngettext(
                "%(name)s：还有 %(n)d 所学校待评审",
                "%(name)s：还有 %(n)d 所学校待评审",
                row.remaining,
            )
            % {"name": selection.name, "n": row.remaining},
            _("请登录后在“我的评审”中完成评审。"),
            link,
            target=selection,
        )
    audit_record(
        actor=by,
        action="selection.review_remind",
        target=selection,
        unit=selection.programme.unit,
        summary=", ".join(r.member.user.username for r in rows)[:300],
        data={"experts": [r.member.user_id for r in rows], "at": timezone.now().isoformat()},
    )
    return len(rows)


def last_reminder(selection: Selection) -> Any:
    from shidian.apps.core.models import AuditEvent

    return AuditEvent.objects.filter(  # scoping: ok the selection's own events
        action="selection.review_remind",
        target_type=Selection._meta.label,
        target_id=str(selection.pk),
    ).aggregate(at=Max("created_at"))["at"]


def load_counts(selection: Selection) -> dict[int, int]:
    counts = Counter(
        ExpertAssignment.objects.filter(selection=selection).values_list(  # scoping: ok
            "expert_id", flat=True
        )
    )
    return defaultdict(int, counts)


def register() -> None:
    """Called once from SelectionConfig.ready(): this step's audit action names."""
    from shidian.apps.core.audit import register_actions

    register_actions(
        {
            "selection.panel_add": gettext_lazy("加入专家组"),
            "selection.panel_update": gettext_lazy("修改专家组成员"),
            "selection.panel_remove": gettext_lazy("移出专家组"),
            "selection.assign": gettext_lazy("分配评审专家"),
            "selection.assignment_move": gettext_lazy("手工调整评审分配"),
            "selection.review_remind": gettext_lazy("提醒专家评审"),
        }
    )
