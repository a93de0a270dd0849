# Shidian's everyday commands. Quick start: `make demo` (set up and serve), `make test` (all tests).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# uv runs as a module of the machine's Python, so no PATH change is needed after installing it.
UV := python3 -m uv
PG_URL ?= postgres://postgres@127.0.0.1:5432/shidian
PYTEST_WORKERS ?= 2

.PHONY: demo setup test lint format check test-sqlite test-postgres test-browser messages \
        system-deps services bench clean

demo: system-deps setup  ## Set everything up and serve the demo at http://127.0.0.1:8000
	$(VENV)/bin/shidian demo

setup: $(VENV)/.synced src/shidian/static/vendor/.built messages  ## Python + npm dependencies

$(VENV)/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv \
		|| python3 -m pip install --quiet --user uv
	$(UV) sync --frozen --python python3.11
	@touch $@

src/shidian/static/vendor/.built: package.json package-lock.json scripts/vendor-static.mjs
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	@touch $@

messages: $(VENV)/.synced  ## Compile the translation catalogs
	@$(PY) scripts/i18n.py compile

system-deps:  ## LibreOffice and CJK fonts for PDFs (apt-get when root; otherwise says what to install)
	@bash scripts/system-deps.sh documents

services:  ## Make sure PostgreSQL and Redis answer (starts them when they do not)
	@bash scripts/services.sh

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.synced
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: lint  ## Django checks, missing migrations, types of the Django-free packages
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/mypy src/shidian/engine src/shidian/docgen

test: setup  ## Lint, types, the suite on SQLite and on PostgreSQL, then the browser tests
	bash scripts/test-all.sh

test-sqlite: setup
	$(VENV)/bin/pytest -m "not browser" -n $(PYTEST_WORKERS)

test-postgres: setup services
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -m "not browser" -n $(PYTEST_WORKERS)

test-browser: setup
	$(VENV)/bin/pytest -m browser

bench: setup  ## Run the benchmarks (slow; prints figures, see bench/RESULTS.md)
	@for script in bench/*.py; do \
		name=$$(basename $$script .py); echo "== $$script"; mkdir -p bench/out/$$name; \
		SHIDIAN_DATA_DIR=$(CURDIR)/bench/out/$$name PYTHONPATH=src $(PY) $$script || exit 1; \
	done

clean:
	rm -rf $(VENV) node_modules src/shidian/static/vendor artifacts
