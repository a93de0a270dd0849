"""`shidian backup OUT` and `shidian restore IN`: the database, the files and the key.

The installation is the one the environment names (SHIDIAN_DATA_DIR, DATABASE_URL,
STORAGE_BACKEND...: docs/configuration.md), as for `shidian serve`. docs/deploy.md explains.
"""

from __future__ import annotations

from pathlib import Path

import typer

from shidian.cli.web_cmd import _django_setup


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def register(app: typer.Typer) -> None:
    @app.command(help="Back up the database and the stored files into one .tar.gz archive.")
    def backup(
        out: Path = typer.Argument(
            ..., help="The archive to write, or a directory (a timestamped name is chosen)."
        ),
    ) -> None:
        _django_setup()
        from shidian.apps.core.backup import BackupError, backup_create

        try:
            result = backup_create(out=out)
        except BackupError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(
            f"Backup written: {result.path} ({_mib(result.size)}; {result.vendor} database,"
            f" {result.files} files) in {result.seconds:.1f} s."
        )
        if result.vanished:
            typer.echo(f"{result.vanished} file(s) were deleted while the backup ran (left out).")
        for note in result.notes:
            typer.echo(f"note: {note}")

    @app.command(help="Restore a backup into an empty database and file storage.")
    def restore(
        source: Path = typer.Argument(..., help="The archive written by `shidian backup`."),
        force: bool = typer.Option(
            False, "--force", help="Replace a target that already holds data (drops everything)."
        ),
    ) -> None:
        _django_setup()
        from shidian.apps.core.backup import BackupError, backup_restore

        try:
            result = backup_restore(source=source, force=force)
        except BackupError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(1) from exc
        typer.echo(
            f"Restored {source} ({result.vendor} database, {result.files} files) in"
            f" {result.seconds:.1f} s; migrations applied."
        )
        for note in result.notes:
            typer.echo(f"note: {note}")
