"""Load the demo: a generated county, an account for every role, document templates, the seed
programme's notice and a booklet, and (when present) standards and a campaign. `shidian demo`
runs it only on a new database, so running the demo again keeps the data.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import translation

DEMO_ACCOUNTS_FILE = "demo-accounts.json"


@dataclass
class DemoResult:
    created: bool
    summary: str = ""
    accounts: list[dict] = field(default_factory=list)


def _accounts_path() -> Path:
    return Path(settings.DATA_DIR) / DEMO_ACCOUNTS_FILE


def _demo_password() -> str:
    """One password for all demo accounts, generated on first run and kept in var/."""
    path = _accounts_path()
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))["password"]
    return "sd-" + secrets.token_urlsafe(9)


def load_demo(*, seed: int = 2021) -> DemoResult:
    from shidian.apps.accounts.demo import create_demo_accounts
    from shidian.apps.accounts.models import Role, User
    from shidian.apps.orgs.demo import generate_demo_county
    from shidian.apps.orgs.models import OrgUnit

    if OrgUnit.objects.exists():
        return DemoResult(created=False)
    password = _demo_password()
    with transaction.atomic():
        tree = generate_demo_county(seed=seed)
        accounts = create_demo_accounts(
            county=tree.county,
            zone=tree.zone,
            school=tree.school,
            community_lead_school=tree.community_lead,
            password=password,
        )
        office = User.objects.get(username="office")  # scoping: ok demo set-up, no request
        summary = [f"{tree.units} units"]
        summary.append(_load_documents(tree=tree, office=office))
        summary.append(_load_campaigns(tree=tree, office=office))
        summary.append(_load_programme(tree=tree, office=office))
        selection, panel = _load_selection(tree=tree, office=office, password=password)
        summary.append(selection)
        summary.append(_load_tracking(tree=tree, office=office, password=password))
        summary.append(_load_communities(tree=tree, office=office, password=password))
        summary.append(_load_outcomes(tree=tree, office=office))
        accounts = [*accounts, *panel]
        summary.insert(1, f"{len(accounts)} accounts")
    with translation.override("zh-hans"):
        rows = [
            {
                "username": username,
                "role": str(role),
                "role_label": str(Role(role).label),
                "unit": str(unit_name),
                "password": account_password,
            }
            for username, role, unit_name, account_password in accounts
        ]
    _save_accounts(password=password, rows=rows)
    return DemoResult(created=True, summary=", ".join(s for s in summary if s), accounts=rows)


def _save_accounts(*, password: str, rows: list[dict]) -> None:
    path = _accounts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"password": password, "accounts": rows}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    path.chmod(0o600)


def _load_documents(*, tree, office) -> str:
    """The shipped templates, the seed programme's notice and the demo booklet (its PDF is
    built by the task worker)."""
    from shidian.apps.documents.demo import demo_documents

    made = demo_documents(unit=tree.county, user=office, booklet=True)
    return f"{len(made['templates'])} document templates, the 2021 notice and a booklet"


def _load_campaigns(*, tree, office) -> str:
    """The two example standards, published, and a campaign with sheets in every state."""
    from shidian.apps.campaigns.demo import load_demo_campaigns

    result = load_demo_campaigns(county=tree.county, user=office)
    return f"2 standards, campaign {result['campaign'].name}"


def _load_programme(*, tree, office) -> str:
    """The seed's programme (5/5/4 pilots, three phases) holding the demo campaign."""
    from shidian.apps.campaigns.demo import CAMPAIGN_NAME
    from shidian.apps.campaigns.models import Campaign
    from shidian.apps.programmes.demo import load_demo_programme

    campaign = Campaign.objects.filter(unit=tree.county, name=CAMPAIGN_NAME).first()  # scoping: ok
    result = load_demo_programme(county=tree.county, user=office, campaign=campaign)
    return f"programme {result['programme'].name}"


def _load_selection(*, tree, office, password: str) -> tuple[str, list]:
    """The selection of the programme's batches 2 and 3, in the middle of the expert review,
    with its panel of four experts from the neighbouring counties."""
    from shidian.apps.programmes.models import Programme
    from shidian.apps.selection.demo import load_demo_selection

    programme = Programme.objects.filter(unit=tree.county).order_by("-start_year").first()  # ok
    if programme is None:
        return "", []
    result = load_demo_selection(
        programme=programme, county=tree.county, office=office, password=password
    )
    return f"selection {result['selection']}", result["accounts"]


def _load_communities(*, tree, office, password: str) -> str:
    """The county's communities and a semester of their life (activities, help requests)."""
    from shidian.apps.communities.demo import load_demo as load_communities
    from shidian.apps.programmes.models import Programme

    programme = Programme.objects.filter(unit=tree.county).order_by("-start_year").first()  # ok
    from shidian.apps.accounts.models import User
    from shidian.apps.activities.demo import load_demo as load_activities

    made = load_communities(
        county=tree.county, lead_school=tree.community_lead, programme=programme
    )
    lead_user = User.objects.filter(unit=tree.community_lead).order_by("pk").first()  # ok demo
    acts = load_activities(county=tree.county, lead_user=lead_user)
    from shidian.apps.cases.demo import load_demo as load_cases

    cases = load_cases(programme=programme, office=office)
    from shidian.apps.evaluation.demo import load_demo as load_evaluation

    history = load_evaluation(programme=programme, office=office)
    parts = [f"{made['communities']} communities"] if made["communities"] else []
    parts += [f"{acts['activities']} activities"] if acts["activities"] else []
    parts += [f"{cases['cases']} typical cases"] if cases["cases"] else []
    parts += [f"{history['rounds']} years of history"] if history["rounds"] else []
    return ", ".join(parts)


def _load_outcomes(*, tree, office) -> str:
    """After the first batch's years (and the evaluation's history of them): its acceptance
    round confirmed, the commendation of the passed pilots approved with its notice, and a
    roll-out plan in draft pairing next-batch schools with the passed pilots."""
    from shidian.apps.acceptance.demo import load_demo as load_acceptance
    from shidian.apps.commendations.demo import load_demo as load_commendations
    from shidian.apps.programmes.models import Programme
    from shidian.apps.rollout.demo import load_demo as load_rollout

    programme = Programme.objects.filter(unit=tree.county).order_by("-start_year").first()  # ok
    acceptance = load_acceptance(programme=programme, office=office)
    if acceptance["acceptance"] is None:
        return ""
    parts = [f"acceptance {acceptance['acceptance'].name}"]
    if load_commendations(programme=programme, office=office)["commendation"] is not None:
        parts.append("a commendation")
    if load_rollout(programme=programme, office=office)["plan"] is not None:
        parts.append("a roll-out plan")
    return ", ".join(parts)


def _load_tracking(*, tree, office, password: str) -> str:
    """Batch 1's year of implementation: the pilots joined on 1 March (the demo `school`
    account's school among them), their creation plans, the monthly and weekly reports,
    a mid-term round with its gaps, league tables with 督办, an inspection with
    rectification items, and indicators over the county."""
    import datetime as dt

    from django.utils import timezone

    from shidian.apps.indicators.demo import load_demo as load_indicators
    from shidian.apps.inspections.demo import load_demo as load_inspections
    from shidian.apps.midterm.demo import load_demo as load_midterm
    from shidian.apps.plans.demo import load_demo as load_plans
    from shidian.apps.programmes.models import Participation, ParticipationEvent, Programme
    from shidian.apps.programmes.services import participation_move
    from shidian.apps.reports.demo_definitions import load_demo_definitions
    from shidian.apps.reports.demo_filing import load_demo_filing
    from shidian.apps.supervision.demo import load_demo as load_supervision

    programme = Programme.objects.filter(unit=tree.county).order_by("-start_year").first()  # ok
    if programme is None:
        return ""
    batch1 = programme.cycles.get(number=1)
    own = Participation.objects.filter(programme=programme, unit=tree.school).first()  # ok demo
    if own is not None and own.state == "eligible":
        for to in ("recommended", "shortlisted"):
            own = participation_move(by=None, participation=own, to=to, reason="学校自愿申报")
        participation_move(
            by=None, participation=own, to="pilot", batch=batch1, reason="专家评审、局党组会议审定"
        )
    # The demo's pilots were moved today; a year of implementation needs them to have joined
    # in the spring, so reports before today are expected and past months have figures.
    joined = timezone.make_aware(dt.datetime(programme.start_year, 3, 1, 9, 0))
    ParticipationEvent.objects.filter(  # scoping: ok demo set-up
        participation__programme=programme, at__gt=joined
    ).update(at=joined)
    load_demo_definitions(programme=programme, office=office)
    load_demo_filing(programme=programme)
    plans = load_plans(programme=programme, office=office, password=password)
    load_midterm(programme=programme, office=office, password=password)
    league = load_supervision(programme=programme, office=office, password=password)
    load_inspections(programme=programme, office=office, password=password)
    load_indicators(programme=programme, office=office, password=password)
    return f"{plans['plans']} plans, {len(league.get('tables', []))} league tables"


def demo_accounts_table() -> list[str]:
    path = _accounts_path()
    if not path.exists():
        return ["(no demo accounts: the database was not created by `shidian demo`)"]
    data = json.loads(path.read_text(encoding="utf-8"))
    width = max(len(a["username"]) for a in data["accounts"])
    return [
        f"{a['username']:<{width}}  {a['password']}  {a.get('role_label', a['role'])}"
        f" ({a['role']})  {a['unit']}"
        for a in data["accounts"]
    ]
