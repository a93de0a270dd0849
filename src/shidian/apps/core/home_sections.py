"""Cards other apps add to the home page (a programme's cockpit card, a zone's late schools).

``register_home_section(template, provider, order)``: the provider takes the user and returns the
template's context, or None when the card does not concern them. Core never imports the apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HomeSection:
    template: str
    provider: Callable[[Any], dict[str, Any] | None]
    order: int = 50


_SECTIONS: list[HomeSection] = []


def register_home_section(
    template: str, provider: Callable[[Any], dict[str, Any] | None], order: int = 50
) -> None:
    if all(s.template != template for s in _SECTIONS):
        _SECTIONS.append(HomeSection(template, provider, order))
        _SECTIONS.sort(key=lambda s: s.order)


def home_sections(*, user: Any) -> list[dict[str, Any]]:
    shown = []
    for section in _SECTIONS:
        context = section.provider(user)
        if context is not None:
            shown.append({"template": section.template, "context": context})
    return shown
