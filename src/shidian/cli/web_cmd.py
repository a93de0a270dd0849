"""`shidian demo`, `shidian serve`, `shidian worker` and `shidian manage ...` (Django admin)."""

from __future__ import annotations

import os

import typer


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shidian.config.settings")
    import django

    django.setup()


def register(app: typer.Typer) -> None:
    @app.command(
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        help="Run a Django management command (migrate, createsuperuser, ...).",
    )
    def manage(ctx: typer.Context) -> None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shidian.config.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["shidian manage", *ctx.args])
