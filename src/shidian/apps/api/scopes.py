"""Token scopes: read or write per area. Write includes read. Pure: no Django models."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

READ = "read"
WRITE = "write"

# Area -> label; the order is the order of the token form.
AREAS: dict[str, object] = {
    "units": _("组织机构"),
    "accounts": _("账号"),
    "standards": _("指标体系"),
    "programmes": _("试点项目与参与单位"),
    "campaigns": _("自查赋分"),
    "reports": _("定期报告"),
    "selection": _("试点遴选"),
    "communities": _("共同体与活动"),
    "rectification": _("整改"),
    "cases": _("典型案例"),
    "documents": _("公文"),
    "inspections": _("督查指导"),
    "acceptance": _("验收"),
    "evaluation": _("成效评估"),
    "plans": _("创建方案"),
    "commendations": _("通报表彰"),
    "rollout": _("推广计划"),
}
# Areas whose data the API only reads, whatever the token says.
READ_ONLY_AREAS = frozenset({"accounts"})


def all_scopes() -> list[str]:
    scopes = []
    for area in AREAS:
        scopes.append(f"{area}:{READ}")
        if area not in READ_ONLY_AREAS:
            scopes.append(f"{area}:{WRITE}")
    return scopes


def normalise(scopes: Iterable[str]) -> list[str]:
    """Known scopes only, sorted, without duplicates; raises ValueError on an unknown one."""
    known = set(all_scopes())
    chosen = set(scopes)
    unknown = sorted(chosen - known)
    if unknown:
        raise ValueError(", ".join(unknown))
    return sorted(chosen, key=all_scopes().index)


def allows(granted: Iterable[str], area: str, mode: str) -> bool:
    granted = set(granted)
    if f"{area}:{WRITE}" in granted:
        return True
    return mode == READ and f"{area}:{READ}" in granted
