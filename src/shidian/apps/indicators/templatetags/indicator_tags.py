"""Formatting of indicator figures in templates."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def fig(figure: Any, percent: bool = False) -> str:
    """A Figure as shown in tables: one decimal, "%" for shares, a dash when undefined."""
    if figure is None:
        return "—"
    digits = 1 if percent else 2
    text = figure.text(percent=bool(percent), digits=digits)
    if not percent and text.endswith(".00"):
        text = text[:-3]
    return text


@register.filter
def cv(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@register.filter
def num(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
