from __future__ import annotations

from typing import Any

from django import template

from shidian.apps.orgs.messages import COLUMN_LABELS, display_value

register = template.Library()


@register.filter
def column_label(key: str) -> str:
    return str(COLUMN_LABELS.get(key, key))


@register.filter
def unit_value(value: Any, key: str) -> str:
    return display_value(key, value)
