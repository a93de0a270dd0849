"""Writes for campaigns: open a campaign (sheets for the invited units, notices), reminders."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shidian.apps.accounts.models import Role, User
from shidian.apps.campaigns.models import Campaign, Sheet, SheetStatus
from shidian.apps.campaigns.notices import OPEN, REMIND, compose_for
from shidian.apps.core import access
from shidian.apps.core.services import audit_record, person_or_none
from shidian.apps.notifications.mail import send_mail_now, send_messages_now  # noqa: F401
from shidian.apps.notifications.services import Note, deliver
from shidian.apps.orgs.models import Level, OrgUnit
from shidian.textclean import clean_text


def invited_units(*, root: OrgUnit, school_types: list[str] | None = None):
    qs = OrgUnit.objects.subtree(root).filter(level=Level.SCHOOL, is_active=True)
    if school_types:
        qs = qs.filter(school_type__in=school_types)
    return qs


@transaction.atomic
def campaign_create(
    *,
    unit: OrgUnit,
    user,
    name: str,
    version,
    opens_on: date,
    deadline: datetime,
    accept_late: bool = False,
    root: OrgUnit | None = None,
    school_types: list[str] | None = None,
    reviewers=(),
    notify: bool = True,
    base_url: str = "",
    phase=None,
) -> Campaign:
    """Open a campaign: one sheet per invited unit, an in-app notice and an e-mail to each
    invited unit's coordinators (sent after the transaction commits)."""
    if not version.is_published:
        raise ValidationError(_("只能使用已发布的指标体系版本。"))
    root = root or unit
    if not root.is_within(unit):
        raise ValidationError(_("参评范围必须在本单位之内。"))
    if phase is not None and not unit.is_within(phase.programme.unit):
        raise ValidationError(_("所选项目阶段不属于本单位的试点项目。"))
    if phase is not None:
        access.require(user, access.MANAGE, phase.programme)
    campaign = Campaign.objects.create(
        programme=phase.programme if phase is not None else None,
        phase=phase,
        unit=unit,
        name=clean_text(name),
        version=version,
        opens_on=opens_on,
        deadline=deadline,
        accept_late=accept_late,
        invite_root=root,
        invite_school_types=list(school_types or []),
        created_by=person_or_none(user),
    )
    campaign.reviewers.set(reviewers, by=user)  # expert grants on the round
    units = list(invited_units(root=root, school_types=school_types).values_list("pk", flat=True))
    Sheet.objects.bulk_create(
        [Sheet(campaign=campaign, unit_id=pk) for pk in units], batch_size=2000
    )
    audit_record(
        actor=user,
        action="campaigns.create",
        target=campaign,
        unit=unit,
        summary=f"{campaign.name}: {len(units)}",
    )
    if notify:
        notify_coordinators(campaign=campaign, unit_ids=units, kind=OPEN, base_url=base_url)
    return campaign


def _coordinators(unit_ids):
    return User.objects.filter(  # scoping: ok the service is told which units
        unit_id__in=unit_ids, is_active=True, role__in=[Role.COORDINATOR, Role.COMMUNITY_LEAD]
    )


def notify_coordinators(*, campaign: Campaign, unit_ids, kind: str, base_url: str = "") -> int:
    """Tell the coordinators of ``unit_ids`` about their sheet (``kind``: open, remind,
    return): in-app notices now, e-mails through the task queue once the transaction commits.
    Each message names the unit's own sheet and links to it."""
    users = list(_coordinators(unit_ids).only("pk", "email", "unit_id"))
    if not users:
        return 0
    sheets = {
        s.unit_id: s
        for s in Sheet.objects.filter(  # scoping: ok the service is told which units
            round=campaign, unit_id__in={u.unit_id for u in users}
        )
        .select_related("unit")
        .defer("answers", "scores")
    }
    item_count = len(campaign.version.as_standard().items())
    notes = []
    for user in users:
        sheet = sheets.get(user.unit_id)
        if sheet is None:
            continue
        sheet.campaign = campaign
        notice = compose_for(
            user=user,
            kind=kind,
            campaign=campaign,
            sheet=sheet,
            base_url=base_url,
            item_count=item_count,
        )
        url = reverse("campaigns:sheet", kwargs={"sheet_id": sheet.pk})
        notes.append(Note(user=user, subject=notice.subject, body=notice.body, link=url))
    return deliver(notes, kind=f"campaigns.{kind}", target=campaign, base_url=base_url)


@transaction.atomic
def campaign_remind(*, campaign: Campaign, user=None, base_url: str = "") -> int:
    """Remind the units that have not submitted, among those ``user`` may remind (the office:
    all of them; a zone: its schools; None: the system, all); returns how many were reminded."""
    sheets = campaign.sheets.all()
    if user is not None:
        sheets = Sheet.objects.restrict(user, access.REMIND).filter(round=campaign)
    pending = list(
        sheets.filter(
            status__in=[SheetStatus.NOT_OPENED, SheetStatus.DRAFT, SheetStatus.RETURNED]
        ).values_list("unit_id", flat=True)
    )
    if not pending or campaign.status != "open":
        return 0
    notify_coordinators(campaign=campaign, unit_ids=pending, kind=REMIND, base_url=base_url)
    campaign.reminded_at = timezone.now()
    campaign.save(update_fields=["reminded_at"])
    audit_record(
        actor=user,
        action="campaigns.remind",
        target=campaign,
        unit=campaign.unit,
        summary=str(len(pending)),
    )
    return len(pending)


def remind_due_campaigns(*, days_before: int = 3) -> int:
    """For a scheduler: remind every open campaign whose deadline is within ``days_before``
    (links use settings.SITE_URL: there is no request to take an address from)."""
    now = timezone.now()
    due = Campaign.objects.filter(  # scoping: ok system job
        status="open", deadline__gt=now, deadline__lte=now + timezone.timedelta(days=days_before)
    ).select_related("unit", "version")
    return sum(campaign_remind(campaign=c) for c in due)
