"""The one error of backup and restore: a sentence for the operator, nothing was changed."""

from __future__ import annotations


class BackupError(Exception):
    """A refusal or a failure, told in one sentence (the command line prints it, exit 1)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
