"""Who may do what in midterm (core.access policies)."""

from __future__ import annotations


def register_all() -> None:
    pass
