"""The command line imports only the module of the command it runs; the table must be true."""

from __future__ import annotations

import importlib
import subprocess
import sys

import typer

from shidian.cli.app import COMMANDS_BY_MODULE, modules_for


def _registered(module: str) -> tuple[str, ...]:
    app = typer.Typer()
    importlib.import_module(module).register(app)
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    names += [g.name for g in app.registered_groups]
    return tuple(names)


def test_table_matches_what_each_module_registers():
    for module, names in COMMANDS_BY_MODULE.items():
        assert _registered(module) == names, module


def test_one_command_needs_one_module_and_help_needs_all():
    assert modules_for(["shidian", "did", "panel.csv"]) == ["shidian.cli.did_cmd"]
    assert modules_for(["shidian", "reconcile"]) == ["shidian.cli.assign_cmd"]
    assert modules_for(["shidian"]) == list(COMMANDS_BY_MODULE)
    assert modules_for(["shidian", "--help"]) == list(COMMANDS_BY_MODULE)
    assert modules_for(["shidian", "no-such-command"]) == list(COMMANDS_BY_MODULE)


def test_did_process_does_not_import_the_grouping_engine():
    code = (
        "import sys; sys.argv = ['shidian', 'did', '--help'];"
        "import shidian.cli.app as a;"
        "print('shidian.engine.grouping' in sys.modules, 'docx' in sys.modules)"
    )
    # argv[0] is not a console script here, so the module imports everything; check the table
    # path directly instead through a console-script-like argv[0].
    code = code.replace("['shidian',", "['/usr/bin/shidian',")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"], out.stdout + out.stderr
