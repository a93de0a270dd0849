"""The demo's selection: batches 2 and 3 of the seed programme (its first five pilots were
announced already), in the middle of the expert review, so every step has data to look at.

- Zones recommended their best schools within a quota of three (the ten schools the programme
  demo marked "recommended" keep their recommendation).
- Shortlist run 1 (school types in proportion) is infeasible and says why; run 2 (urban and
  rural in proportion) is adopted: twelve schools for nine pilots.
- A panel of four experts from two neighbouring counties (cross review, 交叉评审), two
  experts per school from different counties; three of them have scored their schools, the
  fourth has not yet, so the office has someone to remind and the reconciliation shows what
  is missing.

The experts log in like the other demo accounts (their rows are added to the accounts file).
Idempotent: a second call finds the selection and changes nothing.
"""

from __future__ import annotations

import random
from typing import Any

from django.utils import timezone

from shidian.apps.orgs.models import Level, OrgUnit

SELECTION_NAME = "第二、三批试点学校遴选"
QUOTA = 3
SHORTLIST = 12
PER_UNIT = 2
# username, full name, expertise, the neighbouring county they work in
PANEL = [
    ("expert_sq1", "周教授", "教育信息化", ("990122", "石桥县")),
    ("expert_sq2", "吴主任", "课堂教学", ("990122", "石桥县")),
    ("expert_lx1", "郑老师", "学校管理", ("990123", "柳溪县")),
    ("expert_lx2", "孙老师", "教学研究", ("990123", "柳溪县")),
]
SCORING = {"expert_sq1", "expert_sq2", "expert_lx1"}


def _neighbour(county: OrgUnit, code: str, name: str) -> OrgUnit:
    from shidian.apps.orgs.services import unit_create

    found = OrgUnit.objects.filter(code=code).first()  # scoping: ok demo set-up
    return found or unit_create(code=code, name=name, level=Level.COUNTY, parent=county.parent)


def _experts(county: OrgUnit, password: str) -> list[tuple[Any, str, tuple[str, str, str, str]]]:
    from shidian.apps.accounts.demo import EMAIL_DOMAIN
    from shidian.apps.accounts.models import Role, User

    made = []
    for username, full_name, expertise, (code, name) in PANEL:
        unit = _neighbour(county, code, name)
        user = User.objects.filter(username=username).first()  # scoping: ok demo set-up
        if user is None:
            user = User(username=username)
        user.set_password(password)
        user.role, user.unit, user.full_name = Role.EXPERT, unit, full_name
        user.email, user.is_active = f"{username}@{EMAIL_DOMAIN}", True
        user.save()
        made.append((user, expertise, (username, str(Role.EXPERT), unit.name, password)))
    return made


def _recommend(selection: Any, office: Any) -> None:
    from shidian.apps.programmes.models import Participation, ParticipationState
    from shidian.apps.selection.candidates import candidate_frame
    from shidian.apps.selection.models import Recommendation
    from shidian.apps.selection.services.recommend import (
        recommendations_add,
        scope_zones,
        zone_of,
        zone_quotas_set,
    )

    zones = scope_zones(selection)
    zone_quotas_set(by=office, selection=selection, quotas={z.pk: QUOTA for z in zones})
    frame = candidate_frame(selection).sort_values("score", ascending=False)
    frame = frame[~frame["vetoed"]]
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=frame["unit_id"].tolist())}  # ok demo
    already = set(
        Participation.objects.filter(  # scoping: ok demo set-up
            programme=selection.programme, state=ParticipationState.RECOMMENDED
        ).values_list("unit_id", flat=True)
    )
    used: dict[int, int] = {}
    picks: dict[int, list[tuple[int, str]]] = {}
    for unit_id, state in zip(frame["unit_id"], frame["state"], strict=True):
        zone = zone_of(units[unit_id], zones)
        if zone is None or used.get(zone.pk, 0) >= QUOTA:
            continue
        if unit_id in already:  # recommended before this selection came to Shidian
            Recommendation.objects.create(
                selection=selection,
                unit_id=unit_id,
                zone=zone,
                reason="学校自愿申报，片区初审推荐",
                by=office,
            )
        elif state == ParticipationState.ELIGIBLE:
            picks.setdefault(zone.pk, []).append((unit_id, "自查得分靠前，信息化基础较好"))
        else:
            continue
        used[zone.pk] = used.get(zone.pk, 0) + 1
    for zone in zones:
        if picks.get(zone.pk):
            recommendations_add(by=office, selection=selection, zone=zone, picks=picks[zone.pk])


def _shortlist(selection: Any, office: Any) -> None:
    """Run 1 asks for school types in proportion to the county, which the recommended schools
    cannot give (the page explains which quota to relax); run 2 balances urban and rural only
    and is adopted."""
    from shidian.apps.runs.executor import run_execute
    from shidian.apps.selection.services import shortlist

    count = min(SHORTLIST, selection.recommendations.count())
    for strata, tolerance in ((["school_type"], 10.0), (["locality"], 20.0), ([], 0.0)):
        params = shortlist.default_params(selection)
        params.update(count=count, strata=strata, proportional=bool(strata), tolerance=tolerance)
        made = shortlist.shortlist_run_start(by=office, selection=selection, params=params)
        run_execute(run_id=made.run_id)
        made.refresh_from_db()
        if made.status == "done":
            shortlist.shortlist_adopt(by=office, selection=selection, number=made.number)
            return


def _review(selection: Any, office: Any, experts: list) -> None:
    from shidian.apps.reviews.models import Review
    from shidian.apps.selection.services import review
    from shidian.apps.submissions.models import Submission

    for user, expertise, _row in experts:
        review.panel_add(by=office, selection=selection, user=user, expertise=expertise)
    if not selection.shortlisted.exists():
        return
    review.assign(by=office, selection=selection, per_unit=PER_UNIT, seed=2026)
    rng = random.Random(2026)
    full = selection.round.version.as_standard().max_total()
    sheets = {
        s.unit_id: s
        for s in Submission.objects.filter(  # scoping: ok demo set-up
            round=selection.round, unit_id__in=selection.shortlisted.values("unit_id")
        )
    }
    for pair in selection.assignments.select_related("expert"):
        if pair.expert.username not in SCORING:
            continue
        sheet = sheets[pair.unit_id]
        Review.objects.create(
            submission=sheet,
            reviewer=pair.expert,
            total=round(max(0.0, min(full, sheet.total + rng.uniform(-12, 3))), 1),
            strengths="基础设施较完善，应用氛围好",
            suggestions="加强数据治理与教师应用培训",
        )


def load_demo_selection(
    *, programme: Any, county: OrgUnit, office: Any, password: str
) -> dict[str, Any]:
    """Create the demo selection (see the module docstring); returns it and the panel's
    account rows (username, role, unit name, password) for the demo accounts file."""
    from shidian.apps.selection.models import Selection
    from shidian.apps.selection.services.selections import selection_create

    found = Selection.objects.filter(programme=programme, name=SELECTION_NAME).first()  # ok demo
    experts = _experts(county, password)
    rows = [row for _user, _expertise, row in experts]
    if found is not None:
        return {"selection": found, "accounts": rows, "created": False}
    from shidian.apps.campaigns.demo import CAMPAIGN_NAME

    rounds = programme.rounds.filter(kind="self_assessment")
    round_obj = rounds.filter(name=CAMPAIGN_NAME).first() or rounds.order_by("opens_on").first()
    if round_obj is None:
        return {"selection": None, "accounts": rows, "created": False}
    selection = selection_create(
        by=office,
        programme=programme,
        round_obj=round_obj,
        name=SELECTION_NAME,
        recommend=True,
        recommend_due=timezone.localdate(),
    )
    _recommend(selection, office)
    _shortlist(selection, office)
    selection.refresh_from_db()
    _review(selection, office, experts)
    return {"selection": selection, "accounts": rows, "created": True}
