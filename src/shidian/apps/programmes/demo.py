"""The seed's programme for `shidian demo`: the county's smart-campus creation over this year
and the next two, three cycles of 5/5/4 pilots, the three default phases, the demo campaign
attached to the preparation phase and the 2021-style notice's five schools as batch 1 pilots.

Years are relative to today so the cockpit's timeline has today inside it; one small campaign
(one zone's schools) closed two days ago, so "who is late" has something to show. Idempotent.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from shidian.apps.orgs.models import Level, OrgUnit
from shidian.apps.programmes.models import Cadence, Participation, Programme
from shidian.apps.programmes.services import (
    CycleInput,
    participation_move_bulk,
    programme_create,
)

LATE_CAMPAIGN = "遴选申报材料补充自查（演示，已截止）"
TARGETS = (5, 5, 4)


def programme_name(year: int) -> str:
    return f"蒲阳县中小学智慧校园创建（{year}—{year + 2}年）"


@transaction.atomic
def load_demo_programme(*, county: OrgUnit, user: Any = None, campaign: Any = None) -> dict:
    from shidian.apps.accounts.models import Role, User

    year = timezone.localdate().year
    existing = Programme.objects.filter(unit=county, start_year=year).first()  # scoping: ok demo
    if existing is not None:
        return {"programme": existing, "created": False}
    people = User.objects.within(county).filter(is_active=True)  # scoping: ok demo set-up
    programme = programme_create(
        by=None,
        unit=county,
        name=programme_name(year),
        start_year=year,
        end_year=year + 2,
        scope_root=county,
        scope_levels=[Level.SCHOOL],
        cadences=[Cadence.WEEKLY, Cadence.MONTHLY, Cadence.QUARTERLY],
        standard_versions=[campaign.version] if campaign is not None else [],
        cycles=[CycleInput(year=year + i, target=t) for i, t in enumerate(TARGETS)],
        leading_group=list(people.filter(role=Role.LEADING_GROUP)),
        office_members=list(people.filter(role=Role.OFFICE)),
    )
    if user is not None:
        programme.created_by = user
        programme.save(update_fields=["created_by"])
    preparation = programme.phases.order_by("order").first()
    if campaign is not None:
        type(campaign).objects.filter(pk=campaign.pk).update(  # scoping: ok demo
            programme=programme, phase=preparation
        )
    _pilots(programme, county=county)
    late = _late_campaign(programme, county=county, user=user, campaign=campaign)
    _attach_notice(programme, county=county)
    return {"programme": programme, "created": True, "late_campaign": late}


def _pilots(programme: Programme, *, county: OrgUnit) -> None:
    """The notice's five schools: recommended, shortlisted, pilots of batch 1; ten more
    recommended, so every early state has units."""
    from shidian.apps.documents.demo import NOTICE_MIX
    from shidian.apps.documents.selectors import schools_for_document

    schools = [s.pk for s in schools_for_document(county, count=5, mix=NOTICE_MIX)]
    rows = Participation.objects.filter(programme=programme)  # scoping: ok demo set-up
    pilots = list(rows.filter(unit_id__in=schools))
    others = list(rows.exclude(unit_id__in=schools).order_by("unit__path")[:10])
    batch1 = programme.cycles.get(number=1)
    participation_move_bulk(
        by=None,
        programme=programme,
        participations=pilots + others,
        to="recommended",
        reason="学校自愿申报",
    )
    participation_move_bulk(
        by=None, programme=programme, participations=pilots, to="shortlisted", reason="片区初审"
    )
    participation_move_bulk(
        by=None,
        programme=programme,
        participations=pilots,
        to="pilot",
        batch=batch1,
        reason="专家评审、局党组会议审定",
    )


def _late_campaign(programme: Programme, *, county: OrgUnit, user: Any, campaign: Any):
    from shidian.apps.campaigns.models import Campaign, Sheet, SheetStatus
    from shidian.apps.campaigns.services import campaign_create

    if campaign is None:
        return None
    zones = OrgUnit.objects.subtree(county).filter(level=Level.ZONE).order_by("path")
    # The zone the demo's zone account belongs to, so its home page shows the schools behind.
    zone = zones.filter(users__role="zone").first() or zones.first()
    now = timezone.now()
    late = campaign_create(
        unit=county,
        user=user,
        name=LATE_CAMPAIGN,
        version=campaign.version,
        opens_on=timezone.localdate() - timedelta(days=12),
        deadline=now + timedelta(days=1),
        root=zone or county,
        notify=False,
        phase=programme.phases.order_by("order").first(),
    )
    # Closed two days ago: the service only opens campaigns with a future deadline.
    Campaign.objects.filter(pk=late.pk).update(deadline=now - timedelta(days=2))  # scoping: ok
    sheets = list(Sheet.objects.filter(round=late).order_by("unit__path"))  # scoping: ok
    done = [s.pk for i, s in enumerate(sheets) if i % 3 == 0]
    Sheet.objects.filter(pk__in=done).update(  # scoping: ok demo
        status=SheetStatus.SUBMITTED, submitted_at=now - timedelta(days=3)
    )
    return late


def _attach_notice(programme: Programme, *, county: OrgUnit) -> None:
    from shidian.apps.documents.models import Document, Kind

    Document.objects.filter(unit=county, kind=Kind.NOTICE).update(  # scoping: ok demo
        programme=programme, cycle=programme.cycles.get(number=1)
    )


__all__ = ["load_demo_programme"]
