"""Template context shared by every page: the navigation for the user's role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

SCHOOL_ROLES = ("coordinator", "community_lead")

# (url name, label, who sees it: all, office, school). Apps add their entry when pages exist.
NAV_ITEMS: list[tuple[str, Any, str]] = [
    ("core:home", _("首页"), "all"),
    ("orgs:list", _("组织机构"), "all"),
    ("programmes:list", _("试点项目"), "office"),
    ("standards:list", _("指标体系"), "office"),
    ("campaigns:list", _("自查赋分"), "all"),
    ("communities:list", _("共同体"), "all"),
    ("classgroups:list", _("班级分组"), "school"),
    ("documents:list", _("公文"), "office"),
    ("accounts:list", _("账号管理"), "office"),
    ("core:audit", _("审计日志"), "office"),
    ("runs:list", _("后台任务"), "all"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for url_name, label, audience in NAV_ITEMS:
        if audience == "office" and not getattr(user, "is_office", False):
            continue
        if audience == "school" and getattr(user, "role", "") not in SCHOOL_ROLES:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # the app has not built that page yet
        items.append(
            {
                "url": url,
                "label": label,
                "active": request.path.startswith(url) and (url != "/" or request.path == "/"),
            }
        )
    return {"nav_items": items}
