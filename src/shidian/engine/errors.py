"""Errors the engine raises for bad input: one message that says what to change."""

from __future__ import annotations


class EngineInputError(ValueError):
    """Input the engine cannot use. ``message`` names the column, row or constraint.

    The command line prints the message and exits with status 2; the web shows it as a form
    error. Never raise it with a traceback-like message: say what to change.
    """

    def __init__(self, message: str, *, column: str | None = None, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.column = column
        self.row = row


class InfeasibleError(EngineInputError):
    """Constraints that cannot all hold; ``relaxations`` says which must give and by how much."""

    def __init__(self, message: str, *, relaxations: list[str] | None = None):
        super().__init__(message)
        self.relaxations = relaxations or []
