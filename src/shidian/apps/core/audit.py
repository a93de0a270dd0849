"""Readable names for audit actions.

An event stores a stable dotted code ("accounts.invite"); each app registers the label people
read, translated at display time, from its AppConfig.ready(). Unregistered codes show as is.
"""

from __future__ import annotations

from typing import Any

ACTION_LABELS: dict[str, Any] = {}


def register_actions(labels: dict[str, Any]) -> None:
    ACTION_LABELS.update(labels)


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda c: c[0])
