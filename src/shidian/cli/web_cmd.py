"""`shidian demo`, `shidian serve`, `shidian worker` and `shidian manage ...` (the web app).

These commands import Django lazily so that the engine commands start without it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import typer


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shidian.config.settings")
    import django

    django.setup()


def _call(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def _prepare(*, quiet: bool = True) -> None:
    """Migrate and collect static files; both are no-ops when nothing changed."""
    _call("migrate", "--no-input", f"--verbosity={0 if quiet else 1}")
    _call("collectstatic", "--no-input", "--verbosity=0")


def _start_worker() -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shidian.config.settings"}
    return subprocess.Popen(
        [sys.executable, "-m", "shidian.cli", "worker"], env=env, start_new_session=True
    )


def _start_daily_timer() -> None:
    """Enqueue the daily jobs now and every DAILY_INTERVAL (the embedded default has no cron)."""
    import threading

    from shidian.apps.core.daily import DAILY_INTERVAL, enqueue_daily

    def loop() -> None:
        while True:
            try:
                enqueue_daily()
            except Exception as exc:  # a database hiccup must not stop the web server
                typer.echo(f"daily jobs not enqueued: {exc}", err=True)
            time.sleep(DAILY_INTERVAL)

    threading.Thread(target=loop, name="shidian-daily", daemon=True).start()


def _serve(host: str, port: int, threads: int, with_worker: bool) -> None:
    from django.conf import settings
    from waitress import serve as waitress_serve

    from shidian.config.wsgi import application

    worker = None
    if with_worker and settings.TASKS["default"]["BACKEND"] != (
        "django_tasks.backends.immediate.ImmediateBackend"
    ):
        worker = _start_worker()
        typer.echo(f"task worker started (pid {worker.pid})")

    def stop(*_args: object) -> None:
        if worker and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    if worker is not None:
        _start_daily_timer()
    typer.echo(f"Shidian is serving at http://{host}:{port}/  (Ctrl-C stops it)")
    try:
        waitress_serve(application, host=host, port=port, threads=threads, ident="shidian")
    except KeyboardInterrupt:
        pass
    finally:
        if worker and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)


def register(app: typer.Typer) -> None:
    @app.command(
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        help="Run a Django management command (migrate, createsuperuser, ...).",
    )
    def manage(ctx: typer.Context) -> None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shidian.config.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["shidian manage", *ctx.args])

    @app.command(help="Set up the database, load the demo if it is new, and serve Shidian.")
    def demo(
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8000, help="Port to listen on."),
        threads: int = typer.Option(8, help="Web server threads."),
        seed: int = typer.Option(2021, help="Seed of the generated demo county."),
        serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve after setting up."),
    ) -> None:
        started = time.monotonic()
        _django_setup()
        _prepare()
        from shidian.apps.core.demo import demo_accounts_table, load_demo

        result = load_demo(seed=seed)
        if result.created:
            typer.echo(f"Demo data loaded: {result.summary}")
        else:
            typer.echo("Existing database kept (demo data already present).")
        typer.echo("\nDemo accounts (username / password / role / unit):")
        for line in demo_accounts_table():
            typer.echo(f"  {line}")
        typer.echo(f"\nReady in {time.monotonic() - started:.1f} s.")
        if serve:
            _serve(host, port, threads, with_worker=True)

    @app.command(help="Serve Shidian with the task worker (no demo data).")
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8000, help="Port to listen on."),
        threads: int = typer.Option(8, help="Web server threads."),
        worker: bool = typer.Option(True, "--worker/--no-worker", help="Start the task worker."),
        migrate: bool = typer.Option(True, "--migrate/--no-migrate", help="Migrate first."),
    ) -> None:
        _django_setup()
        if migrate:
            _prepare()
        _serve(host, port, threads, with_worker=worker)

    @app.command(
        help="Enqueue the daily jobs (open started report periods, escalate overdue items)."
    )
    def daily() -> None:
        _django_setup()
        from shidian.apps.core.daily import daily_jobs, enqueue_daily

        count = enqueue_daily()
        names = ", ".join(getattr(t, "name", str(t)) for t in daily_jobs())
        typer.echo(f"{count} daily jobs enqueued: {names}")

    @app.command(help="Run the database-backed task worker (PDF conversion, e-mail, reminders).")
    def worker() -> None:
        _django_setup()
        from django.conf import settings

        if settings.TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
            _call("rqworker", "default", "--job-class", "django_tasks_rq.Job")
        else:
            _call("db_worker", "--interval", "1")
