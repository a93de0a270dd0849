"""Errors the engine raises for bad input: one message that says what to change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class EngineInputError(ValueError):
    """Input the engine cannot use. ``message`` names the column, row or constraint.

    The command line prints the message and exits with status 2; the web shows it as a form
    error. Never raise it with a traceback-like message: say what to change.

    ``code`` and ``params`` (optional) let the web tell the same thing in the user's language:
    ``shidian.apps.core.engine_messages.describe`` looks the code up in one table and fills in
    the params, so an error with a code never reaches a Chinese page in English.
    """

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        row: int | None = None,
        code: str | None = None,
        params: Mapping[str, Any] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.column = column
        self.row = row
        self.code = code
        self.params: dict[str, Any] = dict(params or {})


class InfeasibleError(EngineInputError):
    """Constraints that cannot all hold; ``relaxations`` says which must give and by how much."""

    def __init__(self, message: str, *, relaxations: list[str] | None = None):
        super().__init__(message)
        self.relaxations = relaxations or []
