"""``{% notification_bell %}``: the bell with the unread count, for the base layout."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context: template.Context) -> dict:
    user = getattr(context.get("request"), "user", None) or context.get("user")
    if not getattr(user, "is_authenticated", False):
        return {"show": False}
    from shidian.apps.notifications.selectors import unread_count

    return {"show": True, "unread_count": unread_count(user=user)}
