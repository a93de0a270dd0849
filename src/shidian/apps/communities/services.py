"""Writes for communities: create one, change its members and lead, its contacts.

Keyword-only, atomic, audited. The formation tool adopts a version through
``community_create`` and ``community_set_members``; nothing else writes memberships.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shidian.apps.communities.models import (
    Community,
    CommunityContact,
    CommunityMember,
    CommunityType,
)
from shidian.apps.core.access import MANAGE, require
from shidian.apps.core.audit import register_actions
from shidian.apps.core.services import audit_record


def register() -> None:
    register_actions(
        {
            "communities.create": gettext_lazy("组建共同体"),
            "communities.members": gettext_lazy("调整共同体成员"),
            "communities.contact": gettext_lazy("维护共同体联系人"),
            "communities.close": gettext_lazy("撤销共同体"),
        }
    )


@transaction.atomic
def community_create(
    *,
    by: Any,
    owner_unit: Any,
    name: str,
    lead: Any,
    members: Iterable[Any],
    kind: str = CommunityType.MERGED,
    programme: Any = None,
    number: int = 1,
    formation_version_id: int | None = None,
    on: dt.date | None = None,
) -> Community:
    """A community with ``lead`` and ``members`` (the lead is added if missing).

    ``by`` must manage ``owner_unit`` (the office there); every member must lie in its subtree.
    """
    from shidian.apps.orgs.models import OrgUnit

    require(by, MANAGE, owner_unit) if by is not None else None
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写共同体名称。"), code="community_name")
    if kind not in CommunityType.values:
        raise ValidationError(_("未知的共同体类型。"), code="community_kind")
    units = {u.pk: u for u in members}
    units[lead.pk] = lead
    inside = set(
        OrgUnit.objects.subtree(owner_unit).filter(pk__in=list(units)).values_list("pk", flat=True)
    )
    outside = [u for pk, u in units.items() if pk not in inside]
    if outside:
        raise ValidationError(
            _("以下学校不在%(unit)s范围内：%(names)s")
            % {"unit": owner_unit.name, "names": "、".join(u.name for u in outside[:5])},
            code="community_outside",
        )
    day = on or timezone.localdate()
    community = Community.objects.create(
        owner_unit=owner_unit,
        programme=programme,
        name=name[:120],
        kind=kind,
        lead_unit=lead,
        number=number,
        formation_version_id=formation_version_id,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    CommunityMember.objects.bulk_create(
        [
            CommunityMember(community=community, unit_id=pk, is_lead=pk == lead.pk, joined_on=day)
            for pk in units
        ]
    )
    audit_record(
        actor=by,
        action="communities.create",
        target=community,
        unit=owner_unit,
        summary=f"{community.name} ({len(units)})",
    )
    return community


@transaction.atomic
def community_set_members(
    *,
    by: Any,
    community: Community,
    lead: Any,
    members: Iterable[Any],
    on: dt.date | None = None,
    formation_version_id: int | None = None,
) -> dict[str, int]:
    """Make the current members exactly ``members`` (+ ``lead``): leavers get ``left_on``.

    Returns the counts joined / left / kept. A school that left and comes back gets a new row.
    """
    if by is not None:
        require(by, MANAGE, community.owner_unit)
    day = on or timezone.localdate()
    wanted = {u.pk for u in members} | {lead.pk}
    current = {
        row.unit_id: row
        for row in CommunityMember.objects.select_for_update().filter(
            community=community, left_on__isnull=True
        )
    }
    left = [row for unit_id, row in current.items() if unit_id not in wanted]
    for row in left:
        row.left_on = day
        row.is_lead = False
    CommunityMember.objects.bulk_update(left, ["left_on", "is_lead"])
    joined = [
        CommunityMember(community=community, unit_id=pk, is_lead=pk == lead.pk, joined_on=day)
        for pk in wanted
        if pk not in current
    ]
    CommunityMember.objects.bulk_create(joined)
    kept = [row for unit_id, row in current.items() if unit_id in wanted]
    for row in kept:
        row.is_lead = row.unit_id == lead.pk
    CommunityMember.objects.bulk_update(kept, ["is_lead"])
    community.lead_unit = lead
    if formation_version_id is not None:
        community.formation_version_id = formation_version_id
    community.save(update_fields=["lead_unit", "formation_version_id", "updated_at"])
    counts = {"joined": len(joined), "left": len(left), "kept": len(kept)}
    audit_record(
        actor=by,
        action="communities.members",
        target=community,
        unit=community.owner_unit,
        summary=f"{community.name}: +{counts['joined']} -{counts['left']}",
        data=counts,
    )
    return counts


def _contact_fields(
    *, community: Community, unit: Any, name: str, duty: str, phone: str, email: str
) -> dict[str, Any]:
    """The cleaned fields of a contact, or a ValidationError naming every bad field."""
    from django.core.validators import validate_email

    errors: dict[str, list[str]] = {}
    if (
        unit is None
        or not CommunityMember.objects.filter(
            community=community, unit=unit, left_on__isnull=True
        ).exists()
    ):
        errors["unit"] = [_("请选择本共同体的一所成员校。")]
    name, duty = (name or "").strip(), (duty or "").strip()
    phone, email = (phone or "").strip(), (email or "").strip()
    if not name:
        errors["name"] = [_("请填写联系人姓名。")]
    elif len(name) > 60:
        errors["name"] = [_("姓名不能超过 60 个字。")]
    if len(duty) > 60:
        errors["duty"] = [_("职务不能超过 60 个字。")]
    if len(phone) > 40:
        errors["phone"] = [_("电话不能超过 40 个字符。")]
    elif phone and not all(ch.isdigit() or ch in " +-()（）转" for ch in phone):
        errors["phone"] = [_("电话只能包含数字、空格和 + - ( )。")]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("邮箱格式不正确。")]
    if not phone and not email and "phone" not in errors:
        errors["phone"] = [_("请至少填写电话或邮箱中的一项。")]
    if errors:
        raise ValidationError(errors)
    return {"unit": unit, "name": name, "duty": duty, "phone": phone, "email": email}


def _may_edit_contacts(by: Any, community: Community) -> None:
    # Contacts are steered: the lead school and the office keep the list; members only read it
    # (a member school's wrong number is fixed by asking its lead, one place to keep it right).
    require(by, MANAGE, community)


@transaction.atomic
def contact_put(
    *,
    by: Any,
    community: Community,
    unit: Any,
    name: str,
    duty: str = "",
    phone: str = "",
    email: str = "",
    user: Any = None,
    contact: CommunityContact | None = None,
) -> CommunityContact:
    """Add a contact person of member school ``unit``, or change ``contact`` (the lead school or
    the office). Bad fields raise one ValidationError keyed by field; nothing saved."""
    _may_edit_contacts(by, community)
    if contact is not None and contact.community_id != community.pk:
        raise ValidationError(_("该联系人不属于本共同体。"), code="contact_other")
    fields = _contact_fields(
        community=community, unit=unit, name=name, duty=duty, phone=phone, email=email
    )
    if contact is None:
        contact = CommunityContact(community=community, user=user)
    for key, value in fields.items():
        setattr(contact, key, value)
    contact.save()
    audit_record(
        actor=by,
        action="communities.contact",
        target=community,
        unit=community.owner_unit,
        summary=contact.name,
    )
    return contact


@transaction.atomic
def contact_remove(*, by: Any, contact: CommunityContact) -> None:
    """Remove a contact person (the lead school or the office)."""
    community = contact.community
    _may_edit_contacts(by, community)
    audit_record(
        actor=by,
        action="communities.contact",
        target=community,
        unit=community.owner_unit,
        summary=_("删除联系人：%(name)s") % {"name": contact.name},
    )
    contact.delete()
