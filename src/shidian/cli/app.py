"""The `shidian` command line: engine commands that need no web app, and the web app's admin.

Each subcommand lives in its own module with a ``register(app)`` function. Engine commands never
import Django; web commands import it lazily inside the command.
"""

from __future__ import annotations

import importlib
import sys

import typer

from shidian.engine.errors import EngineInputError

app = typer.Typer(
    name="shidian",
    help="Shidian (试点): pilot-then-roll-out programmes. Engine commands work on CSV/XLSX alone.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Shidian (试点) command line."""


def _is_console_script() -> bool:
    """True when this process was started as `shidian ...` or `python -m shidian.cli`."""
    prog = sys.argv[0] if sys.argv else ""
    return prog.endswith(("shidian", "shidian.exe")) or prog.endswith(
        ("shidian/cli/__main__.py", "shidian/cli/app.py")
    )


# Which commands each module registers. A process started for one command imports only its
# module: importing all of them (pandas, SciPy, python-docx) costs most of a second, which
# dominates short engine runs such as `shidian did`. tests/engine/test_cli_modules.py checks
# the table against what the modules register.
COMMANDS_BY_MODULE: dict[str, tuple[str, ...]] = {
    "shidian.cli.select_cmd": ("select",),
    "shidian.cli.match_cmd": ("match",),
    "shidian.cli.group_cmd": ("group",),
    "shidian.cli.assign_cmd": ("assign", "reconcile"),
    "shidian.cli.did_cmd": ("did",),
    "shidian.cli.power_cmd": ("power",),
    "shidian.cli.web_cmd": ("manage", "demo", "serve", "daily", "worker"),
    "shidian.cli.doc_cmd": ("doc",),
    "shidian.cli.standard_cmd": ("standard",),
    "shidian.cli.campaign_cmd": ("campaign",),
    "shidian.cli.backup_cmd": ("backup", "restore"),
}
COMMAND_MODULES = list(COMMANDS_BY_MODULE)


def modules_for(argv: list[str]) -> list[str]:
    """The command modules a process with these arguments needs: one, or all for help."""
    wanted = argv[1] if len(argv) > 1 else None
    for module, names in COMMANDS_BY_MODULE.items():
        if wanted in names:
            return [module]
    return COMMAND_MODULES


for _module in modules_for(sys.argv if _is_console_script() else []):
    importlib.import_module(_module).register(app)


def main() -> None:
    """Console-script entry: bad input exits 2 with one message, never a traceback."""
    try:
        # Outside standalone mode click returns a command's typer.Exit code instead of exiting.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except EngineInputError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        for line in getattr(exc, "relaxations", []) or []:
            typer.echo(f"  - {line}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
