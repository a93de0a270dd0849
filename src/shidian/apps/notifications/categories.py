"""Notification categories: what a person chooses to get, keyed by a kind's prefix.

A kind is "app.what" ("campaigns.return", "selection.quota"); its category is the part before
the first dot. Apps (or this app, for them) register a label with :func:`register_category`;
a prefix nobody registered falls into "other", so a new kind never goes unseen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

OTHER = "other"


@dataclass(frozen=True)
class Category:
    prefix: str
    label: Any  # lazily translated
    default_email: bool = True


_CATEGORIES: dict[str, Category] = {}


def register_category(prefix: str, label: Any, default_email: bool = True) -> None:
    """Name the notifications whose kind starts with ``prefix + "."``."""
    if not prefix or "." in prefix:
        raise ValueError(f"a category prefix has no dot: {prefix!r}")
    _CATEGORIES[prefix] = Category(prefix, label, default_email)


def category_of(kind: str) -> str:
    """The category of a notification kind ("campaigns.return" -> "campaigns")."""
    prefix = (kind or "").split(".", 1)[0]
    return prefix if prefix in _CATEGORIES else OTHER


def get_category(prefix: str) -> Category:
    return _CATEGORIES.get(prefix) or Category(OTHER, _("其他通知"), True)


def categories() -> list[Category]:
    """Every registered category in registration order, "other" last."""
    return [*_CATEGORIES.values(), get_category(OTHER)]


def registered_prefixes() -> list[str]:
    return list(_CATEGORIES)


def register_defaults() -> None:
    """The categories of today's apps and of those being built (their kinds use these prefixes)."""
    for prefix, label in (
        ("campaigns", _("自查赋分")),
        ("selection", _("试点遴选")),
        ("reviews", _("专家评审")),
        ("programmes", _("试点项目")),
        ("plans", _("创建方案")),
        ("reports", _("定期报告")),
        ("supervision", _("督办")),
        ("inspections", _("督查指导与整改")),
        ("midterm", _("中期评估")),
        ("communities", _("共同体")),
        ("formations", _("共同体组建")),
        ("activities", _("共同体活动")),
        ("helprequests", _("援助申请")),
        ("documents", _("公文")),
    ):
        if prefix not in _CATEGORIES:
            register_category(prefix, label)
