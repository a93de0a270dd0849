"""Fixtures shared by the engine command-line tests."""

from __future__ import annotations

import sys

import pytest


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run ``shidian`` in-process as the console script does; return (code, stdout, stderr)."""
    from shidian.cli.app import main

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["shidian", *map(str, args)])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
