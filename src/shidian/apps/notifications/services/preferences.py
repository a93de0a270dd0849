"""Each person's choice of e-mail per category (in-app notifications are always written)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shidian.apps.notifications.categories import categories, get_category
from shidian.apps.notifications.models import EmailChoice, NotificationPreference


def default_choice(category: str) -> str:
    return EmailChoice.NOW if get_category(category).default_email else EmailChoice.OFF


def email_choices(*, users: list[Any], category: str) -> dict[int, str]:
    """user id -> the e-mail choice for ``category`` (the default where none was made)."""
    ids = sorted({u.pk for u in users})
    found = {}
    for i in range(0, len(ids), 500):
        found.update(
            NotificationPreference.objects.filter(  # scoping: ok read for the delivering service
                user_id__in=ids[i : i + 500], category=category
            ).values_list("user_id", "email")
        )
    default = default_choice(category)
    return {pk: found.get(pk, default) for pk in ids}


def preferences_for(*, user: Any) -> list[dict[str, Any]]:
    """Every category with the user's choice, for the settings page."""
    chosen = dict(NotificationPreference.objects.for_user(user).values_list("category", "email"))
    return [
        {
            "category": c.prefix,
            "label": c.label,
            "email": chosen.get(c.prefix, default_choice(c.prefix)),
        }
        for c in categories()
    ]


@transaction.atomic
def preferences_set(*, user: Any, choices: dict[str, str]) -> int:
    """Store ``user``'s e-mail choice per category (only their own; nothing on bad input).
    Returns how many choices changed."""
    known = {c.prefix for c in categories()}
    valid = set(EmailChoice.values)
    problems = [_("未知的通知类别：%(c)s") % {"c": c} for c in choices if c not in known] + [
        _("无效的邮件选项：%(v)s") % {"v": v} for v in choices.values() if v not in valid
    ]
    if problems:
        raise ValidationError(problems)
    current = dict(NotificationPreference.objects.for_user(user).values_list("category", "email"))
    changed = 0
    for category, email in choices.items():
        if current.get(category, default_choice(category)) == email and category not in current:
            continue
        if current.get(category) == email:
            continue
        NotificationPreference.objects.update_or_create(  # scoping: ok the user's own row
            user=user, category=category, defaults={"email": email}
        )
        changed += 1
    if changed:
        from shidian.apps.core.services import audit_record

        audit_record(
            actor=user,
            action="notifications.preferences",
            unit=user.unit,
            summary=_("修改通知设置"),
            data={"choices": choices},
        )
    return changed
