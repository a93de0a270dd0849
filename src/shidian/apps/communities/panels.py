"""Sections other apps add to a community's page (context: ``community``, ``user``)."""

from __future__ import annotations

PANELS: list[str] = []


def register_panel(template_name: str) -> None:
    if template_name not in PANELS:
        PANELS.append(template_name)
