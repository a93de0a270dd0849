"""``{% help_panel community user as panel %}``: the counts for the community page's panel."""

from __future__ import annotations

from django import template

from shidian.apps.communities.access import is_member
from shidian.apps.core.access import FILL, VIEW, can
from shidian.apps.helprequests.models import HelpRequest

register = template.Library()


@register.simple_tag
def help_panel(community, user):
    visible = HelpRequest.objects.restrict(user, VIEW).filter(community=community).not_closed()
    return {
        "open_count": visible.count(),
        "overdue_count": visible.overdue().count(),
        "may_ask": is_member(user, community) and can(user, FILL, community),
    }
