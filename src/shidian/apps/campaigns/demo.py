"""Demo data for campaigns: the two example standards, published, and one open campaign over the
demo county with sheets in every state, reviewed by the demo's experts. Called by ``shidian
demo`` after the county and its accounts exist.

Answers are generated from ``seed`` (stronger for larger, urban schools, weaker for teaching
points), so the dashboards show a believable spread; nothing is real data.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shidian.apps.accounts.models import Role, User
from shidian.apps.campaigns.models import Campaign, Sheet, SheetStatus
from shidian.apps.campaigns.services import campaign_create
from shidian.apps.campaigns.sheets import sheet_save_all
from shidian.apps.orgs.models import Level, OrgUnit, SchoolType
from shidian.apps.standards import services as standard_services
from shidian.apps.standards.models import StandardVersion
from shidian.engine.scoring import Method, load_yaml

CAMPAIGN_NAME = "2026年中小学智慧校园创建自查赋分（演示）"
STRENGTH = {
    SchoolType.SENIOR_HIGH: 0.85,
    SchoolType.VOCATIONAL: 0.75,
    SchoolType.JUNIOR_HIGH: 0.7,
    SchoolType.NINE_YEAR: 0.65,
    SchoolType.PRIMARY: 0.6,
    SchoolType.TEACHING_POINT: 0.35,
}


def examples_dir() -> Path:
    here = Path(__file__).resolve().parents[4] / "examples" / "standards"
    return here if here.exists() else Path(settings.BASE_DIR) / "examples" / "standards"


def load_example_standards(*, unit: OrgUnit, user=None) -> list[StandardVersion]:
    """Import and publish both example standards for ``unit`` (idempotent)."""
    versions = []
    for path in sorted(examples_dir().glob("*.yaml")):
        parsed, problems, _rows = load_yaml(path.read_text(encoding="utf-8"))
        if problems or parsed is None:
            raise ValueError(f"{path.name}: {problems[0]}")
        existing = StandardVersion.objects.filter(  # scoping: ok demo loader
            standard__unit=unit, standard__code=parsed.code, status="published"
        ).first()
        if existing is None:
            draft = standard_services.standard_import(unit=unit, user=user, parsed=parsed)
            existing = standard_services.version_publish(version=draft, user=user)
        versions.append(existing)
    return versions


def _answer(item, strength: float, rng: random.Random) -> dict | None:
    share = min(max(rng.gauss(strength, 0.2), 0.0), 1.0)
    if item.method == Method.LEVELS:
        levels = sorted(item.levels, key=lambda level: -level.score)
        return {"value": levels[min(int((1 - share) * len(levels)), len(levels) - 1)].label}
    if item.method == Method.YES_NO:
        return {"value": "是" if share > 0.4 else "否"}
    if item.method == Method.VETO:
        return {"value": "是" if rng.random() < 0.01 else "否"}
    if item.method == Method.RATIO:
        denominator = rng.randint(6, 60)
        return {"numerator": round(denominator * share), "denominator": denominator}
    if item.method == Method.NUMBER:
        top = max((t.bound for t in item.thresholds), default=10)
        return {"value": round(top * share * 1.2)}
    return {"value": round(item.max_score * share * 2) / 2}


@transaction.atomic
def load_demo_campaigns(*, county: OrgUnit | None = None, user=None, seed: int = 2026) -> dict:
    """Standards + one campaign with ~70% of sheets started, most of them submitted."""
    county = county or OrgUnit.objects.filter(level=Level.COUNTY).order_by("path").first()
    if county is None:
        raise ValueError("create the demo county first")
    versions = load_example_standards(unit=county, user=user)
    smart = next(v for v in versions if v.standard.code == "SMART-CAMPUS")
    # The demo's experts review the demo campaign, so their home page has work to show.
    experts = list(
        User.objects.within(county).filter(role=Role.EXPERT, is_active=True)  # scoping: ok demo
    )
    campaign = Campaign.objects.filter(unit=county, name=CAMPAIGN_NAME).first()  # scoping: ok
    if campaign is not None:
        campaign.reviewers.add(*experts)
        return {"campaign": campaign, "versions": versions, "created": False}
    campaign = campaign_create(
        unit=county,
        user=user,
        name=CAMPAIGN_NAME,
        version=smart,
        opens_on=timezone.localdate() - timedelta(days=10),
        deadline=timezone.now() + timedelta(days=14),
        accept_late=True,
        reviewers=experts,
        notify=False,
    )
    rng = random.Random(seed)
    standard = smart.as_standard()
    sheets = list(Sheet.objects.filter(round=campaign).select_related("unit", "round"))
    # Schools with a demo coordinator keep a half-filled draft, so the demo can be tried.
    with_coordinator = set(
        User.objects.filter(role=Role.COORDINATOR).values_list("unit_id", flat=True)  # scoping: ok
    )
    for sheet in sheets:
        roll = rng.random()
        if sheet.unit_id in with_coordinator:
            roll = 0.35
        if roll < 0.3:
            continue  # not opened
        strength = STRENGTH.get(sheet.unit.school_type, 0.55) + rng.uniform(-0.1, 0.1)
        answers = {item.code: _answer(item, strength, rng) for item in standard.items()}
        if roll < 0.45:  # a draft, half done
            answers = dict(list(answers.items())[: len(answers) // 2])
        sheet_save_all(sheet=sheet, user=None, answers=answers, base_version=0, audit=False)
        if roll >= 0.45:
            status = SheetStatus.ACCEPTED if roll > 0.9 else SheetStatus.SUBMITTED
            Sheet.objects.filter(pk=sheet.pk).update(status=status, submitted_at=timezone.now())
    return {"campaign": campaign, "versions": versions, "created": True}
