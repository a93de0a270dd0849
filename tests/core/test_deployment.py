"""Configuration: the production check is clean, bad values fail loudly, both task backends run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(code_or_args, env_extra, *, module=False):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "DJANGO_", "TASK_", "REDIS_"))
    }
    env.update({"PYTHONPATH": str(ROOT / "src"), **env_extra})
    args = [sys.executable, *(code_or_args if module else ["-c", code_or_args])]
    return subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def documented_production(tmp_path: Path) -> dict[str, str]:
    """The variables of docs/configuration.md's production block, placeholders filled in.

    Reading them from the page keeps the page and this test from drifting apart: a variable
    added there is checked here.
    """
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    block = page.split("## Production", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    env: dict[str, str] = {}
    for line in block.splitlines():
        if not line.startswith("export "):
            continue
        for token in line.split("#", 1)[0].split()[1:]:
            if "=" not in token:
                continue  # the "..." standing for more variables
            name, value = token.split("=", 1)
            if name.endswith("_FILE"):
                secret = tmp_path / name.lower()
                secret.write_text("a-secret-from-a-file", encoding="utf-8")
                value = str(secret)
            elif value == "...":
                value = "k" * 20 + "-production-secret-key-with-enough-entropy-1234567890"
            env[name] = value.replace("...", "secret")
    return env


def test_the_documented_production_block_sets_what_production_needs(tmp_path):
    env = documented_production(tmp_path)
    for name in ("SECRET_KEY", "DEBUG", "HTTPS", "ALLOWED_HOSTS", "DATABASE_URL", "BEHIND_PROXY"):
        assert name in env, name
    assert env["DEBUG"] == "0" and env["HTTPS"] == "1"
    assert len(env["SECRET_KEY"]) >= 50


def test_check_deploy_is_clean_with_the_documented_production_variables(tmp_path):
    env = {**documented_production(tmp_path), "SHIDIAN_DATA_DIR": str(tmp_path)}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, module=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_bad_boolean_fails_loudly(tmp_path):
    result = run(
        ["manage.py", "check"], {"DEBUG": "maybe", "SHIDIAN_DATA_DIR": str(tmp_path)}, module=True
    )
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_bad_trusted_proxies_fail_loudly(tmp_path):
    env = {"TRUSTED_PROXIES": "10.0.0.0/8,nginx", "SHIDIAN_DATA_DIR": str(tmp_path)}
    result = run(["manage.py", "check"], env, module=True)
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'nginx' is not an IP address or network" in result.stderr


def test_secret_key_is_generated_once_outside_git(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = {"SHIDIAN_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "shidian.config.settings"}
    first = run(f"import django; django.setup(); {code}", env)
    second = run(f"import django; django.setup(); {code}", env)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0],"
        " c.execute('PRAGMA busy_timeout').fetchone()[0])\n"
    )
    env = {"SHIDIAN_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "shidian.config.settings"}
    result = run(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000"]


def test_redis_task_backend_runs_a_task(tmp_path):
    """The scale path: django-tasks' RQ backend on the Redis at 127.0.0.1:6379."""
    code = (
        "import django; django.setup()\n"
        "import django_rq\n"
        "from django_tasks_rq import Job\n"
        "from shidian.apps.core.tasks import echo\n"
        "result = echo.enqueue('同一个任务')\n"
        "django_rq.get_worker('default', job_class=Job).work(burst=True)\n"
        "result.refresh()\n"
        "print(result.status, result.return_value)\n"
    )
    env = {
        "SHIDIAN_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "shidian.config.settings",
        "TASK_BACKEND": "redis",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    result = run(code, env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-2:] == ["SUCCESSFUL", "同一个任务"]


def test_database_task_backend_runs_a_task(tmp_path):
    """The embedded default: django-tasks-db's worker picks the task from the database."""
    env = {"SHIDIAN_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "shidian.config.settings"}
    assert run(["manage.py", "migrate", "-v0"], env, module=True).returncode == 0
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "from shidian.apps.core.tasks import echo\n"
        "result = echo.enqueue('ok')\n"
        "call_command('db_worker', '--batch', '--no-startup-delay', verbosity=0)\n"
        "result.refresh()\n"
        "print(result.status, result.return_value)\n"
    )
    result = run(code, env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-2:] == ["SUCCESSFUL", "ok"]
