"""`shidian campaign ingest CAMPAIGN DIR`: apply workbooks collected by e-mail.

Each file goes through the same checks as the web upload (signature, unit, campaign, version,
every answer); the report lists every file with its outcome. Django is set up lazily.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer

from shidian.cli.common import console, emit_json, print_table, progress
from shidian.engine.errors import EngineInputError

campaign_app = typer.Typer(help="Self-assessment campaigns (自查赋分).")


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shidian.config.settings")
    import django

    django.setup()


@campaign_app.command("ingest")
def ingest(
    campaign: int = typer.Argument(..., help="Campaign id (shown in its page address)"),
    directory: Path = typer.Argument(..., exists=True, file_okay=False, help="Folder of .xlsx"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every file; store nothing."),
    json_out: str = typer.Option(None, "--json", help="Write the report as JSON (- for stdout)."),
    workers: int = typer.Option(1, "--workers", min=1, max=16, help="Processes (CPU cores)."),
    overwrite_newer: bool = typer.Option(
        False,
        "--overwrite-newer",
        help="Apply workbooks downloaded before later online edits (their older values win).",
    ),
) -> None:
    """Check and apply every workbook in DIR; exit 2 if any file was refused."""
    _django_setup()
    from shidian.apps.campaigns.ingest import ingest_files
    from shidian.apps.campaigns.models import Campaign

    found = (
        Campaign.objects.select_related("version")  # the administrator's command
        .filter(pk=campaign)
        .first()
    )
    if found is None:
        raise EngineInputError(f"no campaign {campaign}")
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() == ".xlsx")
    if not files:
        raise EngineInputError(f"{directory}: no .xlsx files")
    started = time.perf_counter()
    with progress("ingest", len(files), enabled=json_out is None and len(files) > 20) as advance:
        rows = ingest_files(
            campaign=found,
            paths=files,
            dry_run=dry_run,
            workers=workers,
            on_progress=advance,
            overwrite_newer=overwrite_newer,
        )
    elapsed = time.perf_counter() - started
    errors = [r for r in rows if r.outcome == "error"]
    if json_out:
        emit_json({"files": rows, "seconds": elapsed, "errors": len(errors)}, json_out)
    else:
        shown = rows if len(rows) <= 200 else errors[:200]
        print_table(
            f"{found.name}: {len(rows)} file(s)" + (" (dry run)" if dry_run else ""),
            ["file", "unit", "outcome", "changes", "total", "message"],
            [[r.file, r.unit, r.outcome, r.changes, r.total, r.message] for r in shown],
        )
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.outcome] = counts.get(r.outcome, 0) + 1
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        console.print(f"{summary}; {elapsed:.1f} s ({len(rows) / max(elapsed, 1e-9):.0f} files/s)")
    if errors:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add this module's command(s) to the root app."""
    app.add_typer(campaign_app, name="campaign")
