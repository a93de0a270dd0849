#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it: lint, types, checks, SQLite, PostgreSQL,
# browser.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/shidian}
WORKERS=${PYTEST_WORKERS:-2}

step() { printf '\n==== %s\n' "$*"; }

step "lint (ruff check, ruff format --check)"
$VENV/bin/ruff check .
$VENV/bin/ruff format --check .

step "types (mypy on the Django-free packages: engine, docgen)"
$VENV/bin/mypy src/shidian/engine src/shidian/docgen

step "Django checks and migrations"
DJANGO_SETTINGS_MODULE=shidian.config.settings_test $VENV/bin/python manage.py check
DJANGO_SETTINGS_MODULE=shidian.config.settings_test \
  $VENV/bin/python manage.py makemigrations --check --dry-run

# Before the SQLite run too: tests/core/test_deployment.py runs a task through Redis.
step "services (PostgreSQL, Redis)"
bash scripts/services.sh

step "tests on SQLite"
$VENV/bin/pytest -m "not browser" -n "$WORKERS" -q

step "tests on PostgreSQL"
DATABASE_URL=$PG_URL $VENV/bin/pytest -m "not browser" -n "$WORKERS" -q

step "browser tests (Playwright, headless Chromium)"
$VENV/bin/pytest -m browser -q
