"""Who may do what in plans (core.access policies)."""

from __future__ import annotations


def register_all() -> None:
    pass
