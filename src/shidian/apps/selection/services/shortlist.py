"""The shortlist step's services."""

from __future__ import annotations


def register() -> None:
    """Called once from SelectionConfig.ready(): this step's todo providers, home sections and
    audit action names."""
