"""`shidian standard import|export`: standards (指标体系) for bureau IT staff.

Parsing and validation are the engine's (no Django); storing needs the web app's database, so
Django is set up lazily inside the command, after the file has been checked.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import typer
from rich.markup import escape

from shidian.cli.common import console, err_console, print_table
from shidian.engine.errors import EngineInputError

standard_app = typer.Typer(help="Standards (指标体系): import and export XLSX or YAML.")


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shidian.config.settings")
    import django

    django.setup()


def _owner(unit_code: str | None):
    from shidian.apps.orgs.models import OrgUnit

    qs = OrgUnit.objects.all()  # the command line runs as the bureau's administrator
    if unit_code:
        unit = qs.filter(code=unit_code).first()
        if unit is None:
            raise EngineInputError(f"--unit {unit_code}: no such unit code")
        return unit
    unit = qs.order_by("depth", "path").first()
    if unit is None:
        raise EngineInputError("no organisation units yet: import the unit tree first")
    return unit


@standard_app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="XLSX or YAML file"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and report; write nothing."),
    unit: str = typer.Option(None, "--unit", help="Owning unit code (default: the top unit)."),
    publish: bool = typer.Option(False, "--publish", help="Publish the imported version."),
    note: str = typer.Option("", "--note", help="Revision note."),
) -> None:
    """Import a standard as a new draft version; every problem is printed with its row.

    Exits 2 when the file has any problem, with --dry-run too (a check that finds problems
    must fail a script or CI job), and nothing is written.
    """
    from shidian.engine.scoring import MAX_LENGTHS, read_standard

    if len(note) > MAX_LENGTHS["note"]:
        raise EngineInputError(f"--note: at most {MAX_LENGTHS['note']} characters")
    standard, problems, _rows = read_standard(name=file.name, data=file.read_bytes())
    if problems or standard is None:
        print_table(
            f"{file.name}: {len(problems)} problem(s), nothing stored",
            ["row", "problem"],
            # the messages quote the file's own text, which rich must not read as markup
            [[p.row or "-", escape(p.message)] for p in problems],
        )
        raise typer.Exit(2)
    console.print(
        f"{standard.code} {standard.name}: {len(standard.dimensions)} dimensions, "
        f"{len(standard.items())} items, maximum {standard.max_total():g}"
    )
    if dry_run:
        console.print("dry run: no problems, nothing written")
        return
    _django_setup()
    from shidian.apps.standards import services

    version = services.standard_import(unit=_owner(unit), user=None, parsed=standard, note=note)
    if publish:
        services.version_publish(version=version, user=None)
    console.print(f"stored as {standard.code} v{version.number} ({version.get_status_display()})")


@standard_app.command("export")
def export(
    code: str = typer.Argument(..., help="Standard code"),
    output: Path = typer.Option(..., "--output", "-o", help="OUT.xlsx or OUT.yaml"),
    version: int = typer.Option(None, "--version", help="Version number (default: latest)."),
    unit: str = typer.Option(None, "--unit", help="Owning unit code when codes repeat."),
) -> None:
    """Export a stored standard version to XLSX or YAML."""
    from shidian.engine.scoring import dump_yaml, write_xlsx

    if output.suffix.lower() not in {".xlsx", ".yaml", ".yml"}:
        raise EngineInputError(f"--output {output}: use a .xlsx or .yaml file name")
    _django_setup()
    from shidian.apps.standards.models import StandardVersion

    qs = StandardVersion.objects.filter(standard__code=code)  # administrator's command
    if unit:
        qs = qs.filter(standard__unit__code=unit)
    if version is not None:
        qs = qs.filter(number=version)
    found = qs.order_by("-number").first()
    if found is None:
        raise EngineInputError(f"no standard {code}" + (f" v{version}" if version else ""))
    engine = found.as_standard()
    if output.suffix.lower() == ".xlsx":
        buffer = io.BytesIO()
        write_xlsx(engine, buffer)
        output.write_bytes(buffer.getvalue())
    else:
        output.write_text(dump_yaml(engine), encoding="utf-8")
    err_console.print(f"wrote {output} ({code} v{found.number})")


def register(app: typer.Typer) -> None:
    """Add this module's command(s) to the root app."""
    app.add_typer(standard_app, name="standard")
