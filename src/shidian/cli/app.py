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


COMMAND_MODULES = [
    "shidian.cli.select_cmd",
    "shidian.cli.match_cmd",
    "shidian.cli.group_cmd",
    "shidian.cli.assign_cmd",
    "shidian.cli.did_cmd",
    "shidian.cli.power_cmd",
    "shidian.cli.web_cmd",
    "shidian.cli.doc_cmd",
    "shidian.cli.standard_cmd",
    "shidian.cli.campaign_cmd",
]

for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main() -> None:
    """Console-script entry: bad input exits 2 with one message, never a traceback."""
    try:
        app(standalone_mode=False)
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
